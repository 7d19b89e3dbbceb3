package dev.outbox.examples.demo;

import com.zaxxer.hikari.HikariConfig;
import dev.outbox.mysql.MySqlDialect;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.spi.OutboxDialect;
import java.util.Locale;

/**
 * The databases the demo runs on, chosen from the JDBC URL before anything connects: PostgreSQL
 * ({@code jdbc:postgresql:}) and MySQL or MariaDB ({@code jdbc:mysql:}; a {@code jdbc:mariadb:} URL
 * is accepted and connected to with MySQL Connector/J, which MariaDB speaks, as {@code
 * jdbc:mysql:}). Each has its own migration of the demo's {@code orders} table and its own dialect.
 */
public enum DemoDatabase {
  POSTGRESQL("PostgreSQL", "jdbc:postgresql:", "postgres", "5", '"'),
  MYSQL("MySQL/MariaDB", "jdbc:mysql:", "root", "5000", '`');

  private static final String MARIADB_PREFIX = "jdbc:mariadb:";

  private final String label;
  private final String prefix;
  private final String defaultUser;
  private final String connectTimeout;
  private final char quote;

  DemoDatabase(String label, String prefix, String defaultUser, String connectTimeout, char quote) {
    this.label = label;
    this.prefix = prefix;
    this.defaultUser = defaultUser;
    this.connectTimeout = connectTimeout;
    this.quote = quote;
  }

  /**
   * The database of {@code jdbcUrl}.
   *
   * @throws IllegalArgumentException naming the URL's kind and the ones the demo runs on
   */
  public static DemoDatabase of(String jdbcUrl) {
    String url = jdbcUrl.toLowerCase(Locale.ROOT);
    for (DemoDatabase db : values()) {
      if (url.startsWith(db.prefix)) {
        return db;
      }
    }
    if (url.startsWith(MARIADB_PREFIX)) {
      return MYSQL;
    }
    int end = url.indexOf(':', "jdbc:".length());
    String kind = url.startsWith("jdbc:") && end > 0 ? url.substring(0, end + 1) : jdbcUrl;
    throw new IllegalArgumentException(
        "--jdbc-url: the examples run on PostgreSQL (jdbc:postgresql:) and MySQL or MariaDB"
            + " (jdbc:mysql:, jdbc:mariadb:), not on '"
            + kind
            + "'");
  }

  /**
   * {@code jdbcUrl} as the driver the demo ships takes it: a {@code jdbc:mariadb:} URL becomes
   * {@code jdbc:mysql:}, anything else is returned as it is.
   */
  public static String driverUrl(String jdbcUrl) {
    return jdbcUrl.regionMatches(true, 0, MARIADB_PREFIX, 0, MARIADB_PREFIX.length())
        ? "jdbc:mysql:" + jdbcUrl.substring(MARIADB_PREFIX.length())
        : jdbcUrl;
  }

  /** How the demo names the database in its messages. */
  public String label() {
    return label;
  }

  /** The user the demo connects as when none is given. */
  public String defaultUser() {
    return defaultUser;
  }

  /**
   * A HikariCP configuration for {@code jdbcUrl} (as {@link #driverUrl}) that gives up connecting
   * after five seconds, the driver's connect timeout included; the caller names and sizes the pool.
   */
  public HikariConfig poolConfig(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(driverUrl(jdbcUrl));
    config.setUsername(user);
    config.setPassword(password);
    config.setConnectionTimeout(5_000);
    config.addDataSourceProperty("connectTimeout", connectTimeout);
    return config;
  }

  /** {@code jdbcUrl} with the value of a {@code password=} parameter hidden, for messages. */
  public static String redacted(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** The outbox dialect for this database. */
  public OutboxDialect dialect() {
    return this == POSTGRESQL ? new PostgresDialect() : new MySqlDialect();
  }

  /** The Flyway location of the demo's own {@code orders} migration for this database. */
  String ordersMigrations() {
    return "classpath:db/migration/outbox-demo/" + (this == POSTGRESQL ? "postgresql" : "mysql");
  }

  /** {@code identifier} quoted for this database (the demo's names never hold a quote). */
  String quote(String identifier) {
    return quote + identifier + quote;
  }
}
