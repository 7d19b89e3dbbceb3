package dev.outbox.postgres;

import dev.outbox.OutboxRecord;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.HeaderCodec;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The PostgreSQL (12+) dialect. A claim is one statement ({@code WITH due AS (SELECT … FOR UPDATE
 * SKIP LOCKED) UPDATE … RETURNING}), sent in one round trip with the transaction-local settings
 * that keep its plan; each kind of acknowledgement is one statement over arrays of ids.
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

  /**
   * Locks up to {@code batchSize} due pending rows in id order, skipping rows other relays hold,
   * and stamps the lease in the same statement. With per-key ordering, a row is only a candidate
   * when no older pending row has its key: that older row is due, leased or waiting for a retry,
   * and must be delivered first.
   *
   * <p>The ORDER BY names both columns of the pending index so that only that index can deliver the
   * order: ordered by id alone, the primary key qualifies as well, and once the statistics are
   * stale (a large backlog draining faster than ANALYZE runs) the planner picks it and walks every
   * sent row on each claim, which makes a drain quadratic. The id is unique, so the order is the
   * same.
   *
   * <p>The locked rows are picked once, in a materialized CTE, and the update finds them by id (the
   * created_at range lets partitions be pruned). Joined as a subquery instead, the planner may
   * rescan the LIMIT … FOR UPDATE SKIP LOCKED for every row of the table, each rescan skipping the
   * rows already updated and locking the next ones: a claim then takes more than the batch and
   * costs as much as the table times the batch.
   *
   * <p>The lease is checked through {@code lease_until} rather than stamped into {@code
   * next_attempt_at}: the claim then changes no indexed column, so with the free space the tables
   * keep on every page (fillfactor, see the V2 migration) PostgreSQL writes it as a heap-only
   * update, without new entries in the primary key and the two pending indexes. A leased row stays
   * in the pending index and is skipped by the filter; there are at most as many as are in flight.
   */
  private static final String CLAIM =
      """
      WITH due AS MATERIALIZED (
          SELECT m.id, m.created_at
            FROM %1$s m
           WHERE m.status = 0 AND m.next_attempt_at <= ?
             AND (m.lease_until IS NULL OR m.lease_until <= ?) %2$s
           ORDER BY m.id, m.next_attempt_at
           LIMIT ?
             FOR UPDATE SKIP LOCKED)
      UPDATE %1$s t
         SET attempts = t.attempts + 1, lease_token = ?, lease_until = ?
       WHERE t.id = ANY (ARRAY(SELECT id FROM due))
         AND t.created_at BETWEEN (SELECT min(created_at) FROM due)
                              AND (SELECT max(created_at) FROM due)
      RETURNING t.id, t.message_id, t.topic, t.msg_key, t.payload, t.headers, t.created_at,
                t.attempts
      """;

  /**
   * Run ahead of the claim, in its own transaction (same round trip). The claim must walk the
   * pending index in order and stop once the batch is full, then probe the primary key. Statistics
   * lag behind an outbox table all the time (a backlog builds up or drains between two ANALYZE
   * runs), and with stale ones the planner reads every pending row into a bitmap and sorts it, or
   * scans the whole table, so that each claim costs as much as the whole backlog, exactly when a
   * backlog has to be drained. These settings only make the other plans look expensive, and only
   * for this transaction.
   *
   * <p>The claim's commit does not wait for the disk: if a crash loses it, its rows were never
   * acknowledged and are simply claimable again (at least once holds), and the acknowledgement,
   * which does wait, flushes the claim with it.
   */
  private static final String CLAIM_SETTINGS =
      """
      SET LOCAL enable_bitmapscan = off;
      SET LOCAL enable_sort = off;
      SET LOCAL enable_seqscan = off;
      SET LOCAL synchronous_commit = off;
      """;

  private static final String OLDER_SAME_KEY_PENDING =
      """
      AND (m.msg_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM %1$s o WHERE o.msg_key = m.msg_key AND o.status = 0 AND o.id < m.id))
      """;

  @Override
  public List<OutboxRecord> claim(Connection c, OutboxTables tables, ClaimRequest r)
      throws SQLException {
    String table = qualified(tables, tables.table());
    String perKey = r.perKey() ? String.format(OLDER_SAME_KEY_PENDING, table) : "";
    String sql = CLAIM_SETTINGS + String.format(CLAIM, table, perKey);
    return Jdbc.inTransaction(c, tx -> claimIn(tx, sql, r));
  }

  private static List<OutboxRecord> claimIn(Connection c, String sql, ClaimRequest r)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, utc(r.now()));
      ps.setObject(2, utc(r.now()));
      ps.setInt(3, r.batchSize());
      ps.setObject(4, r.leaseToken());
      ps.setObject(5, utc(r.leaseUntil()));
      boolean rows = ps.execute();
      // Skip the update counts of the settings up to the claim's rows.
      while (!rows && ps.getUpdateCount() != -1) {
        rows = ps.getMoreResults();
      }
      if (!rows) {
        throw new SQLException("the claim statement returned no result set");
      }
      List<OutboxRecord> claimed = new ArrayList<>(r.batchSize());
      try (ResultSet rs = ps.getResultSet()) {
        while (rs.next()) {
          claimed.add(record(rs));
        }
      }
      claimed.sort((a, b) -> Long.compare(a.id(), b.id()));
      return claimed;
    }
  }

  private static OutboxRecord record(ResultSet rs) throws SQLException {
    return new OutboxRecord(
        rs.getLong("id"),
        rs.getObject("message_id", UUID.class),
        rs.getString("topic"),
        rs.getString("msg_key"),
        rs.getBytes("payload"),
        HeaderCodec.decode(rs.getString("headers")),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getInt("attempts"));
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
             lease_token = NULL, lease_until = NULL
        FROM unnest(?::bigint[], ?::timestamptz[], ?::text[]) AS v(id, next_attempt_at, error)
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
    for (int i = 0; i < rows.size(); i++) {
      ids[i] = rows.get(i).id();
      next[i] = rows.get(i).nextAttemptAt().toString();
      errors[i] = rows.get(i).error();
    }
    try (PreparedStatement ps = c.prepareStatement(String.format(RESCHEDULE, table))) {
      ps.setArray(1, c.createArrayOf("bigint", ids));
      ps.setArray(2, c.createArrayOf("timestamptz", next));
      ps.setArray(3, c.createArrayOf("text", errors));
      ps.setObject(4, b.leaseToken());
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
