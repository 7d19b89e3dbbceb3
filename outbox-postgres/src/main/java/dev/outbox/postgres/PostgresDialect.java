package dev.outbox.postgres;

import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.NewRow;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.OutboxTables;
import dev.outbox.spi.PartitionSupport;
import dev.outbox.spi.Wakeup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The PostgreSQL (12+) dialect. A claim is one statement (see {@link PostgresClaim}), sent in one
 * round trip with the transaction-local settings that keep its plan; under per-key ordering it
 * walks the keys of the pending key index and takes a run of messages of each. Each kind of
 * acknowledgement is one statement over arrays of ids.
 *
 * <p>By default enlisting also queues a {@code NOTIFY} (delivered by PostgreSQL only when the
 * transaction commits) and relays {@code LISTEN}, so a relay wakes up at once instead of waiting
 * for its poll interval. Behind PgBouncer in transaction mode, where LISTEN does not work, use
 * {@link #withoutNotifications()}. Immutable and thread-safe.
 */
public final class PostgresDialect implements OutboxDialect {

  /** The Flyway location of the PostgreSQL migrations. */
  public static final String MIGRATION_LOCATION = "classpath:db/migration/outbox/postgresql";

  /** Rows per INSERT statement when enlisting many messages (6 parameters each). */
  static final int INSERT_CHUNK = 1000;

  private final boolean notifications;

  /** A dialect with NOTIFY on enlist and LISTEN in relays. */
  public PostgresDialect() {
    this(true);
  }

  private PostgresDialect(boolean notifications) {
    this.notifications = notifications;
  }

  /** A dialect that neither notifies nor listens: relays rely on polling alone. */
  public static PostgresDialect withoutNotifications() {
    return new PostgresDialect(false);
  }

  /** Whether enlisting notifies and relays listen. */
  public boolean notifications() {
    return notifications;
  }

  @Override
  public String name() {
    return "postgresql";
  }

  @Override
  public String migrationLocation() {
    return MIGRATION_LOCATION;
  }

  /**
   * {@code identifier} in double quotes, any quote in it doubled: safe for configured names, which
   * {@link OutboxTables} validates, and for names read from the catalog, which may hold anything.
   */
  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  static String qualified(OutboxTables t, String table) {
    return t.schema() == null ? quote(table) : quote(t.schema()) + '.' + quote(table);
  }

  /** The LISTEN/NOTIFY channel of {@code t}, at most 63 characters (the identifier limit). */
  static String channel(OutboxTables t) {
    String name = "outbox:" + (t.schema() == null ? "" : t.schema() + '.') + t.table();
    return name.length() <= 63 ? name : name.substring(0, 63);
  }

  // ---- enlist ----

  private static final String INSERT_INTO =
      "INSERT INTO %s (message_id, topic, msg_key, payload, headers, next_attempt_at) VALUES ";
  private static final String INSERT_ROW = "(?, ?, ?, ?, ?::jsonb, ?)";

  @Override
  public void insert(Connection c, OutboxTables tables, List<NewRow> rows) throws SQLException {
    for (int from = 0; from < rows.size(); from += INSERT_CHUNK) {
      List<NewRow> chunk = rows.subList(from, Math.min(rows.size(), from + INSERT_CHUNK));
      boolean last = from + INSERT_CHUNK >= rows.size();
      try (PreparedStatement ps = c.prepareStatement(insertSql(tables, chunk.size(), last))) {
        int i = 1;
        for (NewRow r : chunk) {
          ps.setObject(i++, r.messageId());
          ps.setString(i++, r.topic());
          ps.setString(i++, r.key());
          ps.setBytes(i++, r.payload());
          ps.setString(i++, r.headersJson());
          ps.setObject(i++, utc(r.availableAt()));
        }
        ps.execute();
      }
    }
  }

  /**
   * The INSERT for {@code rows} rows; the last chunk also queues the NOTIFY in the same statement
   * text, so enlisting costs one round trip.
   */
  private String insertSql(OutboxTables tables, int rows, boolean withNotify) {
    StringBuilder sql = new StringBuilder(INSERT_INTO.length() + rows * (INSERT_ROW.length() + 2));
    sql.append(String.format(INSERT_INTO, qualified(tables, tables.table())));
    for (int i = 0; i < rows; i++) {
      sql.append(i == 0 ? "" : ", ").append(INSERT_ROW);
    }
    if (notifications && withNotify) {
      sql.append("; NOTIFY ").append(quote(channel(tables)));
    }
    return sql.toString();
  }

  // ---- claim ----

  /** See {@link PostgresClaim}. */
  @Override
  public ClaimResult claim(Connection c, OutboxTables tables, ClaimRequest r) throws SQLException {
    return PostgresClaim.claim(c, tables, r);
  }

  // ---- ack ----

  private static final String MARK_SENT =
      """
      UPDATE %s
         SET status = 1, sent_at = ?, lease_token = NULL, lease_until = NULL
       WHERE id = ANY (?) AND lease_token = ?
      RETURNING id
      """;

  private static final String RESCHEDULE =
      """
      UPDATE %s t
         SET next_attempt_at = v.next_attempt_at, last_error = v.error,
             attempts = t.attempts - CASE WHEN v.uncharged THEN 1 ELSE 0 END,
             lease_token = NULL, lease_until = NULL
        FROM unnest(?::bigint[], ?::timestamptz[], ?::text[], ?::boolean[])
             AS v(id, next_attempt_at, error, uncharged)
       WHERE t.id = v.id AND t.lease_token = ?
      RETURNING t.id
      """;

  /** Deletes the rows (still fenced by the lease) and inserts them as dead letters, atomically. */
  private static final String MOVE_TO_DEAD =
      """
      WITH v AS (SELECT * FROM unnest(?::bigint[], ?::text[]) AS v(id, reason)),
           gone AS (DELETE FROM %1$s t USING v
                     WHERE t.id = v.id AND t.lease_token = ?
                 RETURNING t.*, v.reason)
      INSERT INTO %2$s (original_id, message_id, topic, msg_key, payload, headers, created_at,
                        attempts, reason, dead_at)
      SELECT id, message_id, topic, msg_key, payload, headers, created_at, attempts, reason, ?
        FROM gone
      RETURNING original_id
      """;

  @Override
  public AckResult ack(Connection c, OutboxTables tables, AckBatch b) throws SQLException {
    int kinds =
        (b.sent().isEmpty() ? 0 : 1)
            + (b.retries().isEmpty() ? 0 : 1)
            + (b.dead().isEmpty() ? 0 : 1);
    // A single statement is atomic on its own; skip the COMMIT's round trip (the driver sends
    // BEGIN with the first statement, so that one costs none).
    return kinds <= 1 ? ackAll(c, tables, b) : Jdbc.inTransaction(c, tx -> ackAll(tx, tables, b));
  }

  private AckResult ackAll(Connection c, OutboxTables tables, AckBatch b) throws SQLException {
    String table = qualified(tables, tables.table());
    Set<Long> sent = Set.of();
    Set<Long> retried = Set.of();
    Set<Long> dead = Set.of();
    if (!b.sent().isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(String.format(MARK_SENT, table))) {
        ps.setObject(1, utc(b.now()));
        ps.setArray(2, c.createArrayOf("bigint", b.sent().toArray()));
        ps.setObject(3, b.leaseToken());
        sent = ids(ps);
      }
    }
    if (!b.retries().isEmpty()) {
      retried = reschedule(c, table, b);
    }
    if (!b.dead().isEmpty()) {
      dead = moveToDead(c, table, qualified(tables, tables.deadLetterTable()), b);
    }
    return new AckResult(sent, retried, dead);
  }

  private static Set<Long> reschedule(Connection c, String table, AckBatch b) throws SQLException {
    List<AckBatch.Retry> rows = b.retries();
    Object[] ids = new Object[rows.size()];
    Object[] next = new Object[rows.size()];
    Object[] errors = new Object[rows.size()];
    Object[] uncharged = new Object[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ids[i] = rows.get(i).id();
      next[i] = rows.get(i).nextAttemptAt().toString();
      errors[i] = rows.get(i).error();
      uncharged[i] = rows.get(i).uncharged();
    }
    try (PreparedStatement ps = c.prepareStatement(String.format(RESCHEDULE, table))) {
      ps.setArray(1, c.createArrayOf("bigint", ids));
      ps.setArray(2, c.createArrayOf("timestamptz", next));
      ps.setArray(3, c.createArrayOf("text", errors));
      ps.setArray(4, c.createArrayOf("boolean", uncharged));
      ps.setObject(5, b.leaseToken());
      return ids(ps);
    }
  }

  private static Set<Long> moveToDead(Connection c, String table, String deadTable, AckBatch b)
      throws SQLException {
    List<AckBatch.Dead> rows = b.dead();
    Object[] ids = new Object[rows.size()];
    Object[] reasons = new Object[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ids[i] = rows.get(i).id();
      reasons[i] = rows.get(i).reason();
    }
    try (PreparedStatement ps = c.prepareStatement(String.format(MOVE_TO_DEAD, table, deadTable))) {
      ps.setArray(1, c.createArrayOf("bigint", ids));
      ps.setArray(2, c.createArrayOf("text", reasons));
      ps.setObject(3, b.leaseToken());
      ps.setObject(4, utc(b.now()));
      return ids(ps);
    }
  }

  private static Set<Long> ids(PreparedStatement ps) throws SQLException {
    Set<Long> ids = new HashSet<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  // ---- operations ----

  private static final String BACKLOG =
      """
      SELECT (SELECT count(*) FROM %1$s WHERE status = 0),
             (SELECT created_at FROM %1$s WHERE status = 0 ORDER BY id LIMIT 1),
             (SELECT count(*) FROM %2$s)
      """;

  @Override
  public BacklogStats backlog(Connection c, OutboxTables tables) throws SQLException {
    String sql =
        String.format(
            BACKLOG,
            qualified(tables, tables.table()),
            qualified(tables, tables.deadLetterTable()));
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
      return new BacklogStats(
          rs.getLong(1), oldest == null ? null : oldest.toInstant(), rs.getLong(3));
    }
  }

  /** Partition maintenance through {@code pg_inherits}, advisory locks and {@code lock_timeout}. */
  @Override
  public PartitionSupport partitions() {
    return PostgresPartitions.INSTANCE;
  }

  @Override
  public Wakeup listen(
      DataSource dataSource, OutboxTables tables, String relayName, Runnable onWake) {
    if (!notifications) {
      return Wakeup.NONE;
    }
    return PgListener.start(dataSource, quote(channel(tables)), relayName, onWake);
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  @Override
  public String toString() {
    return "PostgresDialect{notifications=" + notifications + '}';
  }
}
