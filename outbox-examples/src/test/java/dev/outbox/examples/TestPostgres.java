package dev.outbox.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.spi.OutboxTables;
import dev.outbox.testkit.TestServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL for the examples' tests, found as the conformance suite finds it ({@code
 * OUTBOX_TEST_POSTGRES_URL}, else the local server, else Testcontainers), with a fresh schema that
 * {@link #close()} drops, and a pool on it.
 */
public final class TestPostgres implements AutoCloseable {
  static final String ENV = "OUTBOX_TEST_POSTGRES_URL";
  static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

  private static String serverUrl;

  private final String url;
  private final String schema;
  private final HikariDataSource dataSource;
  private final List<String> extraSchemas = new ArrayList<>();
  private int tables;

  private TestPostgres() {
    this.url = server();
    this.schema = "outbox_ex_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("CREATE SCHEMA " + schema);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setPoolName("examples-test");
    config.setMaximumPoolSize(6);
    config.setConnectionTimeout(5_000);
    // A non-UTC session time zone, so that time-zone mistakes show.
    config.setConnectionInitSql("SET TIME ZONE 'Pacific/Chatham'");
    this.dataSource = new HikariDataSource(config);
  }

  /** A fresh schema on the test server. */
  public static TestPostgres create() {
    return new TestPostgres();
  }

  private static synchronized String server() {
    if (serverUrl == null) {
      serverUrl = TestServers.find(ENV, LOCAL, TestPostgres::container, "PostgreSQL");
    }
    return serverUrl;
  }

  private static String container() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return null;
    }
    PostgreSQLContainer pg = new PostgreSQLContainer("postgres:15-alpine");
    pg.start();
    return pg.getJdbcUrl() + "&user=" + pg.getUsername() + "&password=" + pg.getPassword();
  }

  /** The server's JDBC URL, user and password included. */
  public String jdbcUrl() {
    return url;
  }

  /** The fresh schema. */
  public String schema() {
    return schema;
  }

  /**
   * The name of another schema, {@code <schema>_<suffix>}, for code under test to create; {@link
   * #close()} drops it too.
   */
  public synchronized String extraSchema(String suffix) {
    String name = schema + "_" + suffix;
    extraSchemas.add(name);
    return name;
  }

  /** A pool on the server. */
  public HikariDataSource dataSource() {
    return dataSource;
  }

  /** Migrates a new outbox table in the schema and returns its names. */
  public synchronized OutboxTables newOutboxTable() {
    OutboxTables t = new OutboxTables(schema, "outbox_" + (++tables));
    OutboxMigrations.migrate(dataSource, new PostgresDialect(), t);
    return t;
  }

  /** An outbox writing to {@code tables}. */
  public static JdbcOutbox outbox(OutboxTables tables) {
    return JdbcOutbox.builder(new PostgresDialect())
        .schema(tables.schema())
        .table(tables.table())
        .build();
  }

  /** Enlists {@code messages} with {@code outbox} in one committed transaction. */
  public List<UUID> enlist(JdbcOutbox outbox, OutboxMessage... messages) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<UUID> ids = outbox.addAll(c, List.of(messages));
      c.commit();
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException("enlisting failed: " + e.getMessage(), e);
    }
  }

  /** A single long from {@code sql}. */
  public long queryLong(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  /** A single string from {@code sql}, or null. */
  public String queryString(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  /** Closes the pool and drops the schema and the extra schemas. */
  @Override
  public void close() {
    dataSource.close();
    for (String extra : extraSchemas) {
      execute("DROP SCHEMA IF EXISTS " + extra + " CASCADE");
    }
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  private void execute(String sql) {
    TestServers.execute(url, sql);
  }
}
