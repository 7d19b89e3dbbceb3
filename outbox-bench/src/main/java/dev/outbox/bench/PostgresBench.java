package dev.outbox.bench;

import dev.outbox.OutboxTables;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark on PostgreSQL: a dedicated schema (see {@link PostgresBenchSchema}) holding the
 * outbox's tables and the raw baseline's. Both are created by the outbox's own migrations under
 * different names, so they have the same columns, indexes and partitioning, now and after any later
 * migration. One difference is made on purpose: the raw table packs its pages full, as a table
 * created by hand does, while the outbox's keeps the free space its migrations ask for (so that a
 * claim is a heap-only update); that space is part of what the outbox costs.
 */
final class PostgresBench extends SqlBench {
  private static final Logger log = LoggerFactory.getLogger(PostgresBench.class);

  /** The settings recorded with the results. */
  static final List<String> SETTINGS =
      List.of(
          "shared_buffers",
          "synchronous_commit",
          "fsync",
          "wal_sync_method",
          "full_page_writes",
          "wal_level",
          "wal_compression",
          "commit_delay",
          "max_wal_size",
          "checkpoint_timeout",
          "work_mem",
          "effective_cache_size",
          "random_page_cost",
          "jit",
          "autovacuum",
          "max_connections");

  private static final String READ_SETTINGS =
      "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY (?) ORDER BY name";

  /** Message i: key {@code key-(i mod keys)}, a payload of the given size, due a second ago. */
  private static final String LOAD_PENDING =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, next_attempt_at)
      SELECT gen_random_uuid(), 'bench', 'key-' || (i %% ?),
             convert_to(rpad(i::text || ':', ?, 'x'), 'UTF8'), '{}'::jsonb, ?
        FROM generate_series(0, ? - 1) AS i
      """;

  private static final String LOAD_SENT =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, status, attempts,
                      next_attempt_at, sent_at)
      SELECT gen_random_uuid(), 'bench', 'key-' || (i %% 10000),
             convert_to(rpad(i::text || ':', ?, 'x'), 'UTF8'), '{}'::jsonb, 1, 1, ?, ?
        FROM generate_series(0, ? - 1) AS i
      """;

  private final PostgresRawQueue rawQueue;

  private PostgresBench(String jdbcUrl, String schema) {
    super(
        jdbcUrl,
        schema,
        PostgresBench::quote,
        (config, name) -> config.addDataSourceProperty("ApplicationName", "outbox-bench-" + name));
    this.rawQueue = new PostgresRawQueue(qualified(raw), quote(schema + "_raw"));
  }

  /** Creates the schema (dropping an earlier benchmark schema of that name) and both tables. */
  static PostgresBench open(String jdbcUrl, String schema) throws SQLException {
    PostgresBench bench = new PostgresBench(jdbcUrl, schema);
    bench.open(PostgresBenchSchema::create);
    return bench;
  }

  @Override
  protected void afterMigrations() throws SQLException {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "ALTER TABLE "
              + qualified(raw.schema(), raw.table() + "_default")
              + " RESET (fillfactor)");
    }
  }

  static String quote(String identifier) {
    return '"' + identifier + '"';
  }

  @Override
  public String version() throws SQLException {
    return queryString("SELECT version()");
  }

  @Override
  public Map<String, String> settings() throws SQLException {
    Map<String, String> settings = new LinkedHashMap<>();
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(READ_SETTINGS)) {
      ps.setArray(1, c.createArrayOf("text", SETTINGS.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          settings.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return settings;
  }

  @Override
  public boolean hasNotifications() {
    return true;
  }

  @Override
  public OutboxDialect dialect(boolean notifications) {
    return notifications ? new PostgresDialect() : PostgresDialect.withoutNotifications();
  }

  @Override
  public OutboxDialect dialect(ProduceScenario.Wake wake) {
    return switch (wake) {
      case DEFAULT -> new PostgresDialect();
      case EVERY_COMMIT -> new PostgresDialect().withNotifyWindow(Duration.ZERO);
      case OFF -> PostgresDialect.withoutNotifications();
    };
  }

  @Override
  public MinimalQueue minimal() {
    return MinimalQueue.postgres(admin, qualified(outbox.schema(), MinimalQueue.TABLE));
  }

  @Override
  public RawQueue raw() {
    return rawQueue;
  }

  @Override
  public void reset(OutboxTables t) throws SQLException {
    execute(
        "TRUNCATE "
            + qualified(t)
            + ", "
            + qualified(t.schema(), t.deadLetterTable())
            + " RESTART IDENTITY");
  }

  @Override
  public void loadPending(OutboxTables t, int n, int keys, int payloadBytes) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(String.format(LOAD_PENDING, qualified(t)))) {
      ps.setInt(1, keys);
      ps.setInt(2, payloadBytes);
      // Due a second ago by the relay's clock, so clock skew cannot hide a row from the first
      // claim.
      ps.setObject(3, Instant.now().minusSeconds(1).atOffset(ZoneOffset.UTC));
      ps.setInt(4, n);
      ps.executeUpdate();
    }
  }

  @Override
  public void loadSent(OutboxTables t, int n, int payloadBytes) throws SQLException {
    if (n == 0) {
      return;
    }
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(String.format(LOAD_SENT, qualified(t)))) {
      ps.setInt(1, payloadBytes);
      ps.setObject(2, Instant.now().minusSeconds(1).atOffset(ZoneOffset.UTC));
      ps.setObject(3, Instant.now().atOffset(ZoneOffset.UTC));
      ps.setInt(4, n);
      ps.executeUpdate();
    }
  }

  @Override
  public void settle(OutboxTables t) throws SQLException {
    execute("VACUUM (ANALYZE) " + qualified(t));
    try {
      execute("CHECKPOINT");
    } catch (SQLException e) {
      // CHECKPOINT needs superuser or pg_checkpointer; without it both sides simply share the
      // server's own checkpoint schedule.
      log.debug("CHECKPOINT not permitted: {}", e.getMessage());
    }
  }
}
