package dev.outbox.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * What the PostgreSQL and MySQL benchmarks share: the outbox's and the raw baseline's tables in one
 * dedicated schema, warmed HikariCP pools, and the plain SQL that reads the same on both.
 */
abstract class SqlBench implements BenchDatabase {
  /** The outbox's tables. */
  protected final OutboxTables outbox;

  /** The raw baseline's tables. */
  protected final OutboxTables raw;

  /** A small pool for setup, loading and checks; never used by a timed side. */
  protected final HikariDataSource admin;

  private final String jdbcUrl;
  private final UnaryOperator<String> quote;
  private final BiConsumer<HikariConfig, String> poolSettings;
  private ScratchSchema schema;

  /**
   * @param jdbcUrl the server's JDBC URL
   * @param schema the dedicated schema, validated as a plain identifier
   * @param quote quotes an identifier for the database
   * @param poolSettings database-specific settings of every pool, given the config and the pool's
   *     short name
   * @throws IllegalArgumentException if {@code schema} is not a plain identifier
   */
  SqlBench(
      String jdbcUrl,
      String schema,
      UnaryOperator<String> quote,
      BiConsumer<HikariConfig, String> poolSettings) {
    this.jdbcUrl = jdbcUrl;
    this.quote = quote;
    this.poolSettings = poolSettings;
    this.outbox = new OutboxTables(schema, "outbox_message");
    this.raw = new OutboxTables(schema, "raw_message");
    this.admin = newPool("admin", 2);
  }

  /**
   * Creates the dedicated schema with {@code create}, then both tables with the outbox's own
   * migrations; on failure drops what was made and closes the admin pool.
   */
  final void open(SchemaFactory create) throws SQLException {
    try {
      schema = create.create(jdbcUrl, outbox.schema(), admin);
      OutboxMigrations.migrate(admin, dialect(false), outbox);
      OutboxMigrations.migrate(admin, dialect(false), raw);
      afterMigrations();
    } catch (SQLException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Adjusts the freshly migrated tables, where a database needs it. Default: nothing. */
  protected void afterMigrations() throws SQLException {}

  /** Makes (and later drops) the dedicated schema. */
  @FunctionalInterface
  interface SchemaFactory {
    ScratchSchema create(String jdbcUrl, String schema, HikariDataSource admin) throws SQLException;
  }

  /** {@code t}'s message table, schema-qualified and quoted. */
  final String qualified(OutboxTables t) {
    return qualified(t.schema(), t.table());
  }

  /** {@code table} in {@code schema}, both quoted. */
  final String qualified(String schema, String table) {
    return quote.apply(schema) + '.' + quote.apply(table);
  }

  @Override
  public final OutboxTables outboxTables() {
    return outbox;
  }

  @Override
  public final OutboxTables rawTables() {
    return raw;
  }

  @Override
  public final HikariDataSource pool(String name, int size) {
    HikariDataSource pool = newPool(name, size);
    warm(pool, size);
    return pool;
  }

  private HikariDataSource newPool(String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("bench-" + name);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setConnectionTimeout(30_000);
    poolSettings.accept(config, name);
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
  public final long maxId(OutboxTables t) throws SQLException {
    return queryLong("SELECT coalesce(max(id), 0) FROM " + qualified(t));
  }

  @Override
  public final void deleteAbove(OutboxTables t, long id) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps =
            c.prepareStatement("DELETE FROM " + qualified(t) + " WHERE id > ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }

  @Override
  public final boolean hasPending(OutboxTables t) throws SQLException {
    return queryLong("SELECT 1 FROM " + qualified(t) + " WHERE status = 0 LIMIT 1") == 1;
  }

  /**
   * {@code scheduled = false} reads the same on both databases; ordered by {@code id,
   * next_attempt_at}, only their index of unscheduled pending rows (PostgreSQL's partial index,
   * MySQL's {@code (status, scheduled, id, next_attempt_at)}) delivers the order, so the probe
   * never reads the scheduled rows, whatever the statistics say.
   */
  @Override
  public final boolean hasUnscheduledPending(OutboxTables t) throws SQLException {
    return queryLong(
            "SELECT 1 FROM "
                + qualified(t)
                + " WHERE status = 0 AND scheduled = false ORDER BY id, next_attempt_at LIMIT 1")
        == 1;
  }

  @Override
  public final void resetIdempotencyKeys(OutboxTables t) throws SQLException {
    execute("TRUNCATE TABLE " + qualified(t.schema(), t.idempotencyTable()));
  }

  @Override
  public final long idempotencyKeys(OutboxTables t) throws SQLException {
    return queryLong(
        "SELECT count(DISTINCT dedup_key) FROM " + qualified(t.schema(), t.idempotencyTable()));
  }

  @Override
  public final long count(OutboxTables t, int status) throws SQLException {
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

  /** The first column of the first row of {@code sql}, 0 when there is no row. */
  final long queryLong(String sql) throws SQLException {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The first column of the first row of {@code sql}, as text. */
  final String queryString(String sql) throws SQLException {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  final void execute(String sql) throws SQLException {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Drops the dedicated schema and closes the admin pool. */
  @Override
  public final void close() {
    try {
      if (schema != null) {
        schema.close();
      }
    } finally {
      admin.close();
    }
  }
}
