package dev.outbox.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.postgresql.PGConnection;

/**
 * The PostgreSQL raw baseline: a plain INSERT (plus NOTIFY when asked) on the producer side, and
 * {@code BEGIN; SELECT … ORDER BY id LIMIT b FOR UPDATE SKIP LOCKED; UPDATE … SET status = 1 WHERE
 * id = ANY(…); COMMIT} on the consumer side, on a table of the outbox's shape.
 */
final class PostgresRawQueue extends SqlRawQueue {
  private static final String INSERT =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, next_attempt_at)
      VALUES (?, ?, ?, ?, '{}'::jsonb, ?)
      """;

  private static final String MARK_SENT =
      """
      UPDATE %s SET status = 1, sent_at = now() WHERE id = ANY (?)
      """;

  private final String insertSql;
  private final String insertAndNotifySql;
  private final String markSentSql;
  private final String listenSql;

  /**
   * @param qualifiedTable the raw table, schema-qualified and quoted
   * @param quotedChannel the NOTIFY channel, quoted
   */
  PostgresRawQueue(String qualifiedTable, String quotedChannel) {
    super(qualifiedTable);
    this.insertSql = String.format(INSERT, qualifiedTable);
    this.insertAndNotifySql = insertSql.strip() + "; NOTIFY " + quotedChannel;
    this.markSentSql = String.format(MARK_SENT, qualifiedTable);
    this.listenSql = "LISTEN " + quotedChannel;
  }

  @Override
  public void insert(Connection c, Row row, boolean notify) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(notify ? insertAndNotifySql : insertSql)) {
      ps.setObject(1, row.messageId());
      ps.setString(2, row.topic());
      ps.setString(3, row.key());
      ps.setBytes(4, row.payload());
      ps.setObject(5, row.availableAt().atOffset(ZoneOffset.UTC));
      ps.execute();
    }
  }

  @Override
  void markSent(Connection c, List<Long> ids) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(markSentSql)) {
      ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      ps.executeUpdate();
    }
  }

  @Override
  long read(ResultSet rs, Consumer<UUID> onRead) throws SQLException {
    long id = rs.getLong(1);
    UUID messageId = rs.getObject(2, UUID.class);
    rs.getString(3);
    rs.getString(4);
    rs.getBytes(5);
    rs.getString(6);
    rs.getObject(7, OffsetDateTime.class);
    onRead.accept(messageId);
    return id;
  }

  @Override
  public void listen(Connection c) throws SQLException {
    executeNow(c, listenSql);
  }

  @Override
  public void unlisten(Connection c) throws SQLException {
    executeNow(c, "UNLISTEN *");
  }

  private static void executeNow(Connection c, String sql) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  @Override
  public void awaitNotification(Connection c, Duration timeout) throws SQLException {
    c.unwrap(PGConnection.class).getNotifications((int) Math.max(1, timeout.toMillis()));
  }
}
