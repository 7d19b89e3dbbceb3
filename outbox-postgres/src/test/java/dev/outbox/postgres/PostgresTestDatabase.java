package dev.outbox.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.testkit.TestDatabase;
import dev.outbox.testkit.TestServers;
import java.util.Locale;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL for the tests: {@code OUTBOX_TEST_POSTGRES_URL}, else the local server at
 * 127.0.0.1:5432 (user postgres), else a Testcontainers container. Each instance works in a fresh
 * schema and drops it on close.
 */
public final class PostgresTestDatabase implements TestDatabase {
  static final String ENV = "OUTBOX_TEST_POSTGRES_URL";
  static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

  /** The sessions' time zone: far from UTC, with a 45-minute offset, so mistakes show. */
  static final String SESSION_TIME_ZONE = "Pacific/Chatham";

  private static String serverUrl;

  private final OutboxDialect dialect;
  private final String url;
  private final String schema;

  private PostgresTestDatabase(OutboxDialect dialect) {
    this.dialect = dialect;
    this.url = server();
    this.schema = "outbox_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("CREATE SCHEMA " + schema);
  }

  /** A fresh schema with the default dialect (NOTIFY on). */
  public static PostgresTestDatabase create() {
    return new PostgresTestDatabase(new PostgresDialect());
  }

  /** A fresh schema with {@code dialect}. */
  public static PostgresTestDatabase create(OutboxDialect dialect) {
    return new PostgresTestDatabase(dialect);
  }

  private static synchronized String server() {
    if (serverUrl == null) {
      serverUrl = TestServers.find(ENV, LOCAL, PostgresTestDatabase::container, "PostgreSQL");
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

  @Override
  public OutboxDialect dialect() {
    return dialect;
  }

  @Override
  public String schema() {
    return schema;
  }

  @Override
  public String jdbcUrl() {
    return url;
  }

  @Override
  public String hostAndPort() {
    return TestServers.hostAndPort(url, 5432);
  }

  @Override
  public String jdbcUrlVia(String host, int port) {
    return TestServers.jdbcUrlVia(url, host, port);
  }

  @Override
  public HikariDataSource dataSource(String jdbcUrl, String poolName, int maxPoolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName(poolName);
    config.setMaximumPoolSize(maxPoolSize);
    config.setConnectionTimeout(5_000);
    config.setConnectionInitSql("SET TIME ZONE '" + SESSION_TIME_ZONE + "'");
    config.addDataSourceProperty("ApplicationName", poolName);
    config.addDataSourceProperty("connectTimeout", "5");
    config.addDataSourceProperty("socketTimeout", "30");
    return new HikariDataSource(config);
  }

  @Override
  public void close() {
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  private void execute(String sql) {
    TestServers.execute(url, sql);
  }

  @Override
  public String toString() {
    return "PostgreSQL " + schema.toLowerCase(Locale.ROOT);
  }
}
