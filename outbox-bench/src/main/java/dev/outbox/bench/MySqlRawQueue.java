package dev.outbox.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The MySQL and MariaDB raw baseline: a plain INSERT on the producer side, and {@code START
 * TRANSACTION; SELECT … ORDER BY id LIMIT b FOR UPDATE SKIP LOCKED; UPDATE … SET status = 1 WHERE
 * id IN (…); COMMIT} on the consumer side, on a table of the outbox's shape. The connections run at
 * READ COMMITTED (see {@link MySqlBench#pool}), as a hand-written consumer that must not block
 * producers with gap locks would. There are no notifications to send or wait for.
 */
final class MySqlRawQueue extends SqlRawQueue {
  /** UTC wall-clock time with microseconds, as the outbox's DATETIME(6) columns hold it. */
  static final DateTimeFormatter DATETIME_6 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private static final String INSERT =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, created_at, next_attempt_at)
      VALUES (?, ?, ?, ?, '{}', UTC_TIMESTAMP(6), ?)
      """;

  private static final String MARK_SENT =
      "UPDATE %s SET status = 1, sent_at = UTC_TIMESTAMP(6) WHERE id IN (%s)";

  private final String table;
  private final String insertSql;

  /**
   * @param qualifiedTable the raw table, database-qualified and quoted
   */
  MySqlRawQueue(String qualifiedTable) {
    super(qualifiedTable);
    this.table = qualifiedTable;
    this.insertSql = String.format(INSERT, qualifiedTable);
  }

  @Override
  public void insert(Connection c, Row row, boolean notify) throws SQLException {
    requireNoNotify(notify);
    try (PreparedStatement ps = c.prepareStatement(insertSql)) {
      ps.setString(1, row.messageId().toString());
      ps.setString(2, row.topic());
      ps.setString(3, row.key());
      ps.setBytes(4, row.payload());
      ps.setString(5, DATETIME_6.format(row.availableAt()));
      ps.executeUpdate();
    }
  }

  @Override
  void markSent(Connection c, List<Long> ids) throws SQLException {
    StringJoiner marks = new StringJoiner(", ");
    ids.forEach(id -> marks.add("?"));
    try (PreparedStatement ps = c.prepareStatement(String.format(MARK_SENT, table, marks))) {
      int i = 1;
      for (long id : ids) {
        ps.setLong(i++, id);
      }
      ps.executeUpdate();
    }
  }

  @Override
  long read(ResultSet rs, Consumer<UUID> onRead) throws SQLException {
    long id = rs.getLong(1);
    UUID messageId = UUID.fromString(rs.getString(2));
    rs.getString(3);
    rs.getString(4);
    rs.getBytes(5);
    rs.getString(6);
    rs.getObject(7, LocalDateTime.class);
    onRead.accept(messageId);
    return id;
  }

  @Override
  public void listen(Connection c) {
    requireNoNotify(true);
  }

  @Override
  public void unlisten(Connection c) {
    requireNoNotify(true);
  }

  @Override
  public void awaitNotification(Connection c, Duration timeout) {
    requireNoNotify(true);
  }

  private static void requireNoNotify(boolean notify) {
    if (notify) {
      throw new UnsupportedOperationException(
          "MySQL and MariaDB have no notifications; the benchmark runs them polling only");
    }
  }
}
