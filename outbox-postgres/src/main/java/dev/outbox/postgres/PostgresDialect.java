package dev.outbox.postgres;

import dev.outbox.OutboxTables;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.KeyWalk;
import dev.outbox.spi.NewRow;
import dev.outbox.spi.OutboxDialect;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The PostgreSQL (12+) dialect. An enlist is one INSERT ({@link PostgresEnlist}). A claim is one
 * statement ({@link PostgresClaim}), sent in one round trip with the transaction-local settings
 * that keep its plan; under per-key ordering it walks the keys of the pending key index and takes a
 * run of messages of each. Each kind of acknowledgement is one statement over arrays of ids ({@link
 * PostgresAck}). Partition maintenance is {@link PostgresPartitions}. Every statement's text is
 * built once per table set.
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

  /**
   * The Flyway location of the PostgreSQL migrations: outside Flyway's and Spring Boot's default
   * {@code classpath:db/migration}, so an application's own Flyway never picks them up.
   */
  public static final String MIGRATION_LOCATION = "classpath:dev/outbox/migration/postgresql";

  /**
   * The Flyway location of the PostgreSQL inbox migrations, see {@link #inboxMigrationLocation}.
   */
  public static final String INBOX_MIGRATION_LOCATION =
      "classpath:dev/outbox/migration/inbox/postgresql";

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

  /** PostgreSQL only. */
  @Override
  public boolean supports(String productName) {
    return "PostgreSQL".equalsIgnoreCase(productName);
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

  /** See {@link PostgresEnlist}; the last chunk notifies when the notify window allows it. */
  @Override
  public void insert(Connection c, OutboxTables tables, List<NewRow> rows) throws SQLException {
    PostgresEnlist.insert(c, tables, rows, this::takeNotify);
  }

  // ---- claim ----

  /** See {@link PostgresClaim}. */
  @Override
  public ClaimResult claim(Connection c, OutboxTables tables, ClaimRequest r) throws SQLException {
    return PostgresClaim.claim(c, tables, r);
  }

  // ---- ack ----

  /** See {@link PostgresAck}. */
  @Override
  public AckResult ack(Connection c, OutboxTables tables, AckBatch b) throws SQLException {
    return PostgresAck.ack(c, tables, b);
  }

  /** All the batches in one transaction: one commit to wait for instead of one per batch. */
  @Override
  public List<AckResult> ackAll(Connection c, OutboxTables tables, List<AckBatch> batches)
      throws SQLException {
    return PostgresAck.ackAll(c, tables, batches);
  }

  // ---- operations ----

  private static final String BACKLOG =
      """
      SELECT (SELECT count(*) FROM %1$s WHERE status = 0 AND NOT scheduled),
             (SELECT coalesce(deliver_at, created_at) FROM %1$s WHERE status = 0 AND NOT scheduled
               ORDER BY id, next_attempt_at LIMIT 1),
             (SELECT count(*) FROM %2$s)
      """;

  private static final Map<OutboxTables, String> BACKLOG_SQL = new ConcurrentHashMap<>();

  @Override
  public BacklogStats backlog(Connection c, OutboxTables tables) throws SQLException {
    String sql =
        BACKLOG_SQL.computeIfAbsent(
            tables,
            t ->
                String.format(BACKLOG, qualified(t, t.table()), qualified(t, t.deadLetterTable())));
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
      return new BacklogStats(
          rs.getLong(1), oldest == null ? null : oldest.toInstant(), rs.getLong(3));
    }
  }

  /**
   * The ends of the pending key index ({@code pending_key_idx}): one index probe from each end, in
   * every partition.
   */
  private static final String KEY_RANGE =
      """
      SELECT (SELECT msg_key FROM %1$s WHERE status = 0 AND msg_key IS NOT NULL
               ORDER BY msg_key LIMIT 1),
             (SELECT msg_key FROM %1$s WHERE status = 0 AND msg_key IS NOT NULL
               ORDER BY msg_key DESC LIMIT 1)
      """;

  private static final Map<OutboxTables, String> KEY_RANGE_SQL = new ConcurrentHashMap<>();

  @Override
  public KeyWalk.Range pendingKeyRange(Connection c, OutboxTables tables) throws SQLException {
    String sql =
        KEY_RANGE_SQL.computeIfAbsent(
            tables, t -> String.format(KEY_RANGE, qualified(t, t.table())));
    return KeyWalk.Range.read(c, sql);
  }

  /**
   * Clears the flag of scheduled rows whose time has come, found through the scheduled index (V7),
   * oldest time first; rows another transaction holds are left for the next call.
   */
  private static final String RELEASE =
      """
      WITH due AS MATERIALIZED (
          SELECT id, created_at FROM %1$s
           WHERE status = 0 AND scheduled AND next_attempt_at <= ?
           ORDER BY next_attempt_at, id
           LIMIT ?
             FOR UPDATE SKIP LOCKED),
      released AS (
          UPDATE %1$s t SET scheduled = false
           WHERE t.id = ANY (ARRAY(SELECT id FROM due))
             AND t.created_at BETWEEN (SELECT min(created_at) FROM due)
                                  AND (SELECT max(created_at) FROM due)
          RETURNING 1)
      SELECT count(*) FROM released
      """;

  private static final Map<OutboxTables, String> RELEASE_SQL = new ConcurrentHashMap<>();

  @Override
  public int releaseScheduled(Connection c, OutboxTables tables, Instant now, int limit)
      throws SQLException {
    String sql =
        RELEASE_SQL.computeIfAbsent(
            tables,
            t -> RelayPlanSettings.PREFIX + String.format(RELEASE, qualified(t, t.table())));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, utc(now));
      ps.setInt(2, limit);
      try (ResultSet rs = RelayPlanSettings.execute(ps)) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** See {@link PostgresAdmin}; its tables come with the V6 migration. */
  @Override
  public AdminSupport admin() {
    return PostgresAdmin.INSTANCE;
  }

  /** Partition maintenance through {@code pg_inherits}, advisory locks and {@code lock_timeout}. */
  @Override
  public PartitionSupport partitions() {
    return PostgresPartitions.INSTANCE;
  }

  /**
   * Dedup tables by {@code INSERT … ON CONFLICT} and {@code TRUNCATE}; see {@link PostgresDedup}.
   */
  @Override
  public DedupSupport dedup() {
    return PostgresDedup.INSTANCE;
  }

  /** {@value #INBOX_MIGRATION_LOCATION}. */
  @Override
  public String inboxMigrationLocation() {
    return INBOX_MIGRATION_LOCATION;
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
