package dev.outbox.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.testkit.TestDatabase;
import dev.outbox.testkit.TestServers;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * MySQL or MariaDB for the tests: {@code OUTBOX_TEST_MYSQL_URL}; else, when {@code
 * OUTBOX_TEST_MYSQL_IMAGE} names a Docker image, a Testcontainers container of it; else the local
 * server at 127.0.0.1:3306 (user root, no password); else a Testcontainers container of {@value
 * #DEFAULT_IMAGE}. Each instance works in a fresh database and drops it on close.
 */
public final class MySqlTestDatabase implements TestDatabase {
  static final String ENV = "OUTBOX_TEST_MYSQL_URL";
  static final String IMAGE_ENV = "OUTBOX_TEST_MYSQL_IMAGE";
  static final String LOCAL = "jdbc:mysql://127.0.0.1:3306/?user=root";
  static final String DEFAULT_IMAGE = "mysql:8.0";

  /**
   * The sessions' time zone: an offset (named zones need the server's time zone tables, often not
   * loaded) far from UTC and from the tests' JVM zone, so time-zone mistakes show.
   */
  static final String SESSION_TIME_ZONE = "+05:45";

  private static String serverUrl;

  private final String url;
  private final String database;

  private MySqlTestDatabase() {
    this.url = server();
    this.database = "outbox_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("CREATE DATABASE " + database);
  }

  /** A fresh database. */
  public static MySqlTestDatabase create() {
    return new MySqlTestDatabase();
  }

  private static synchronized String server() {
    if (serverUrl == null) {
      String image = System.getenv(IMAGE_ENV);
      if (System.getenv(ENV) == null && image != null && !image.isBlank()) {
        serverUrl = container(image.trim());
        if (serverUrl == null) {
          throw new IllegalStateException(
              IMAGE_ENV
                  + " asks for a "
                  + image
                  + " container, but no Docker engine is available; unset it to use "
                  + LOCAL);
        }
      } else {
        serverUrl =
            TestServers.find(ENV, LOCAL, () -> container(DEFAULT_IMAGE), "MySQL or MariaDB");
      }
    }
    return serverUrl;
  }

  private static String container(String image) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return null;
    }
    // A MariaDB image works too: both speak the MySQL protocol and take the same settings.
    DockerImageName name = DockerImageName.parse(image).asCompatibleSubstituteFor("mysql");
    MySQLContainer mysql = new MySQLContainer(name).withUsername("root").withPassword("test");
    mysql.start();
    String url = mysql.getJdbcUrl();
    return url + (url.contains("?") ? "&" : "?") + "user=root&password=test";
  }

  @Override
  public OutboxDialect dialect() {
    return new MySqlDialect();
  }

  @Override
  public String schema() {
    return database;
  }

  @Override
  public String jdbcUrl() {
    return url;
  }

  @Override
  public String hostAndPort() {
    return TestServers.hostAndPort(url, 3306);
  }

  @Override
  public String jdbcUrlVia(String host, int port) {
    return TestServers.jdbcUrlVia(url, host, port);
  }

  @Override
  public HikariDataSource dataSource(String jdbcUrl, String poolName, int maxPoolSize) {
    return new HikariDataSource(config(jdbcUrl, poolName, maxPoolSize));
  }

  /** The pool settings {@link #dataSource} uses, for a test that needs to add to them. */
  HikariConfig config(String jdbcUrl, String poolName, int maxPoolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName(poolName);
    config.setMaximumPoolSize(maxPoolSize);
    config.setConnectionTimeout(5_000);
    config.setConnectionInitSql("SET time_zone = '" + SESSION_TIME_ZONE + "'");
    config.addDataSourceProperty("connectTimeout", "5000");
    config.addDataSourceProperty("socketTimeout", "30000");
    return config;
  }

  /** UUID columns are {@code CHAR(36)}: bound as text. */
  @Override
  public void bindUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
    ps.setString(index, value == null ? null : value.toString());
  }

  /**
   * Time columns are {@code DATETIME(6)} holding UTC: bound as UTC text, as the dialect does, so
   * neither the driver's time zone handling nor its MariaDB version quirk changes the value.
   */
  @Override
  public void bindInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    ps.setString(index, value == null ? null : Sql.utc(value));
  }

  @Override
  public void close() {
    execute("DROP DATABASE IF EXISTS " + database);
  }

  private void execute(String sql) {
    TestServers.execute(url, sql);
  }

  @Override
  public String toString() {
    return "MySQL database " + database;
  }
}
