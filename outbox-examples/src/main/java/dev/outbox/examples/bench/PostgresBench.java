package dev.outbox.examples.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMigrations;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.OutboxTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark on PostgreSQL: a dedicated schema (see {@link PostgresBenchSchema}) holding the
 * outbox's tables and the raw baseline's. Both are created by the outbox's own migrations under
 * different names, so they have the same columns, indexes and partitioning, now and after any later
 * migration.
 */
final class PostgresBench implements BenchDatabase {
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

  private static final String HAS_PENDING = "SELECT EXISTS (SELECT 1 FROM %s WHERE status = 0)";

  private final OutboxTables outbox;
  private final OutboxTables raw;
  private final String jdbcUrl;
  private final HikariDataSource admin;
  private final PostgresRawQueue rawQueue;
  private PostgresBenchSchema schema;

  private PostgresBench(String jdbcUrl, String schema) {
    this.jdbcUrl = jdbcUrl;
    this.outbox = new OutboxTables(schema, "outbox_message");
    this.raw = new OutboxTables(schema, "raw_message");
    this.admin = newPool(jdbcUrl, "admin", 2);
    this.rawQueue = new PostgresRawQueue(qualified(raw), quote(schema + "_raw"));
  }

  /** Creates the schema (dropping an earlier benchmark schema of that name) and both tables. */
  static PostgresBench open(String jdbcUrl, String schema) throws SQLException {
    new OutboxTables(schema, "outbox_message"); // validates the schema name
    PostgresBench bench = new PostgresBench(jdbcUrl, schema);
    try {
      bench.schema = PostgresBenchSchema.create(jdbcUrl, schema, bench.admin);
      OutboxMigrations.migrate(bench.admin, new PostgresDialect(), bench.outbox);
      OutboxMigrations.migrate(bench.admin, new PostgresDialect(), bench.raw);
      return bench;
    } catch (SQLException | RuntimeException e) {
      if (bench.schema != null) {
        bench.schema.close();
      }
      bench.admin.close();
      throw e;
    }
  }

  static String quote(String identifier) {
    return '"' + identifier + '"';
  }

  static String qualified(OutboxTables t) {
    return quote(t.schema()) + '.' + quote(t.table());
  }

  @Override
  public String version() throws SQLException {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version()")) {
      rs.next();
      return rs.getString(1);
    }
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
  public OutboxDialect dialect(boolean notifications) {
    return notifications ? new PostgresDialect() : PostgresDialect.withoutNotifications();
  }

  @Override
  public OutboxTables outboxTables() {
    return outbox;
  }

  @Override
  public OutboxTables rawTables() {
    return raw;
  }

  @Override
  public RawQueue raw() {
    return rawQueue;
  }

  @Override
  public HikariDataSource pool(String name, int size) {
    HikariDataSource pool = newPool(jdbcUrl, name, size);
    warm(pool, size);
    return pool;
  }

  private static HikariDataSource newPool(String jdbcUrl, String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("bench-" + name);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setConnectionTimeout(30_000);
    config.addDataSourceProperty("ApplicationName", "outbox-bench-" + name);
    return new HikariDataSource(config);
  }

  /** Opens every connection now, so that no timed run pays for connecting. */
  private static void warm(HikariDataSource pool, int size) {
    List<Connection> open = new ArrayList<>(size);
    try {
      for (int i = 0; i < size; i++) {
        open.add(pool.getConnection());
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not open " + size + " connections for " + pool.getPoolName(), e);
    } finally {
      for (Connection c : open) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // returning a connection to the pool does not fail in practice
        }
      }
    }
  }

  @Override
  public void reset(OutboxTables t) throws SQLException {
    execute(
        "TRUNCATE "
            + qualified(t)
            + ", "
            + quote(t.schema())
            + '.'
            + quote(t.deadLetterTable())
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
  public long maxId(OutboxTables t) throws SQLException {
    return queryLong("SELECT coalesce(max(id), 0) FROM " + qualified(t));
  }

  @Override
  public void deleteAbove(OutboxTables t, long id) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps =
            c.prepareStatement("DELETE FROM " + qualified(t) + " WHERE id > ?")) {
      ps.setLong(1, id);
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

  @Override
  public boolean hasPending(OutboxTables t) throws SQLException {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(String.format(HAS_PENDING, qualified(t)))) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  @Override
  public long count(OutboxTables t, int status) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT count(*) FROM " + qualified(t) + " WHERE status = ?")) {
      ps.setInt(1, status);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private long queryLong(String sql) throws SQLException {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Override
  public void close() {
    try {
      if (schema != null) {
        schema.close();
      }
    } finally {
      admin.close();
    }
  }
}
