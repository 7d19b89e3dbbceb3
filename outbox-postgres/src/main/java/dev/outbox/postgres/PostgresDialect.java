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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The PostgreSQL (12+) dialect. A claim is one statement (see {@link PostgresClaim}), sent in one
 * round trip with the transaction-local settings that keep its plan; under per-key ordering it
 * walks the keys of the pending key index and takes a run of messages of each. Each kind of
 * acknowledgement is one statement over arrays of ids.
 *
 * <p>By default enlisting also queues a {@code NOTIFY} (delivered by PostgreSQL only when the
 * transaction commits) and relays {@code LISTEN}, so a relay wakes up at once instead of waiting
 * for its poll interval. PostgreSQL serializes the commits of notifying transactions behind one
 * lock, so a dialect notifies at most once per {@linkplain #withNotifyWindow notify window}: an
 * enlist within the window of the previous notifying one (from this dialect instance) commits
 * without a {@code NOTIFY} and is picked up by the wake-up of that one or by the claims the relay
 * makes while it has work. Behind PgBouncer in transaction mode, where LISTEN does not work, use
 * {@link #withoutNotifications()}. Thread-safe; its only state is the time of its last notify.
 */
public final class PostgresDialect implements OutboxDialect {

  /** The Flyway location of the PostgreSQL migrations. */
  public static final String MIGRATION_LOCATION = "classpath:db/migration/outbox/postgresql";

  /** Rows per INSERT statement when enlisting many messages (6 parameters each). */
  static final int INSERT_CHUNK = 1000;

  /** Default {@link #withNotifyWindow notify window}: 1 ms. */
  public static final Duration DEFAULT_NOTIFY_WINDOW = Duration.ofMillis(1);

  /** Longest accepted {@link #withNotifyWindow notify window}: 1 second. */
  public static final Duration MAX_NOTIFY_WINDOW = Duration.ofSeconds(1);

  private final boolean notifications;
  private final long windowNanos;

  /** When this dialect last queued a NOTIFY, on {@link System#nanoTime()}'s scale. */
  private final AtomicLong lastNotify;

  /**
   * A dialect with NOTIFY on enlist, at most once per {@link #DEFAULT_NOTIFY_WINDOW}, and LISTEN in
   * relays.
   */
  public PostgresDialect() {
    this(true, DEFAULT_NOTIFY_WINDOW);
  }

  private PostgresDialect(boolean notifications, Duration window) {
    this.notifications = notifications;
    this.windowNanos = window.toNanos();
    this.lastNotify = new AtomicLong(System.nanoTime() - windowNanos - 1);
  }

  /** A dialect that neither notifies nor listens: relays rely on polling alone. */
  public static PostgresDialect withoutNotifications() {
    return new PostgresDialect(false, Duration.ZERO);
  }

  /**
   * A dialect like this one that queues a {@code NOTIFY} with an enlist only when it queued none in
   * the last {@code window}; {@link Duration#ZERO} notifies with every enlist. Within the window
   * the wake-up of the previous notifying transaction covers the message as long as that
   * transaction commits after it; otherwise the relay, which claims again while it finds work and
   * after each acknowledgement, finds it then, and an idle one at its poll interval at the latest.
   * A longer window makes fewer transactions pay PostgreSQL's commit-time notify lock; a shorter
   * one wakes relays for more of them.
   *
   * @param window from zero to {@link #MAX_NOTIFY_WINDOW}
   * @throws IllegalArgumentException if the window is negative or longer than {@link
   *     #MAX_NOTIFY_WINDOW}, or this dialect does not notify
   */
  public PostgresDialect withNotifyWindow(Duration window) {
    Objects.requireNonNull(window, "notify window must not be null");
    if (window.isNegative() || window.compareTo(MAX_NOTIFY_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "notify window must be between 0 and " + MAX_NOTIFY_WINDOW + ", was " + window);
    }
    if (!notifications) {
      throw new IllegalArgumentException(
          "a dialect without notifications has no notify window; use new PostgresDialect()"
              + ".withNotifyWindow(...)");
    }
    return new PostgresDialect(true, window);
  }

  /** The notify window: enlists within it of a notifying one do not notify. */
  public Duration notifyWindow() {
    return Duration.ofNanos(windowNanos);
  }

  /**
   * Whether this enlist queues a NOTIFY: when notifications are on and no enlist of this dialect
   * did within the window. Of several enlists racing for the same window exactly one notifies.
   */
  private boolean takeNotify() {
    if (!notifications) {
      return false;
    }
    if (windowNanos == 0) {
      return true;
    }
    long now = System.nanoTime();
    long last = lastNotify.get();
    return now - last >= windowNanos && lastNotify.compareAndSet(last, now);
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
      boolean notify = from + INSERT_CHUNK >= rows.size() && takeNotify();
      try (PreparedStatement ps = c.prepareStatement(insertSql(tables, chunk.size(), notify))) {
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
    if (withNotify) {
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
    return kinds <= 1
        ? writeAck(c, tables, b)
        : Jdbc.inTransaction(c, tx -> writeAck(tx, tables, b));
  }

  /** All the batches in one transaction: one commit to wait for instead of one per batch. */
  @Override
  public List<AckResult> ackAll(Connection c, OutboxTables tables, List<AckBatch> batches)
      throws SQLException {
    if (batches.size() == 1) {
      return List.of(ack(c, tables, batches.get(0)));
    }
    return Jdbc.inTransaction(
        c,
        tx -> {
          List<AckResult> results = new ArrayList<>(batches.size());
          for (AckBatch b : batches) {
            results.add(writeAck(tx, tables, b));
          }
          return results;
        });
  }

  private AckResult writeAck(Connection c, OutboxTables tables, AckBatch b) throws SQLException {
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
    return "PostgresDialect{notifications="
        + notifications
        + (notifications ? ", notifyWindow=" + notifyWindow() : "")
        + '}';
  }
}
