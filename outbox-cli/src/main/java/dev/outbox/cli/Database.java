package dev.outbox.cli;

import com.zaxxer.hikari.HikariConfig;
import dev.outbox.mysql.MySqlDialect;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.spi.OutboxDialect;
import java.util.Locale;

/**
 * The databases the command runs on, chosen from the JDBC URL before anything connects: PostgreSQL
 * ({@code jdbc:postgresql:}) and MySQL or MariaDB ({@code jdbc:mysql:}; a {@code jdbc:mariadb:} URL
 * is accepted and connected to with MySQL Connector/J, which MariaDB speaks, as {@code
 * jdbc:mysql:}).
 */
enum Database {
  POSTGRESQL("PostgreSQL", "jdbc:postgresql:", "postgres", "5"),
  MYSQL("MySQL/MariaDB", "jdbc:mysql:", "root", "5000");

  private static final String MARIADB_PREFIX = "jdbc:mariadb:";

  private final String label;
  private final String prefix;
  private final String defaultUser;
  private final String connectTimeout;

  Database(String label, String prefix, String defaultUser, String connectTimeout) {
    this.label = label;
    this.prefix = prefix;
    this.defaultUser = defaultUser;
    this.connectTimeout = connectTimeout;
  }

  /**
   * The database of {@code jdbcUrl}.
   *
   * @throws IllegalArgumentException naming the URL's kind and the ones the command runs on
   */
  static Database of(String jdbcUrl) {
    String url = jdbcUrl.toLowerCase(Locale.ROOT);
    for (Database db : values()) {
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
        "--jdbc-url: the command runs on PostgreSQL (jdbc:postgresql:) and MySQL or MariaDB"
            + " (jdbc:mysql:, jdbc:mariadb:), not on '"
            + kind
            + "'");
  }

  /** {@code jdbcUrl} as the shipped driver takes it: {@code jdbc:mariadb:} becomes MySQL's. */
  static String driverUrl(String jdbcUrl) {
    return jdbcUrl.regionMatches(true, 0, MARIADB_PREFIX, 0, MARIADB_PREFIX.length())
        ? "jdbc:mysql:" + jdbcUrl.substring(MARIADB_PREFIX.length())
        : jdbcUrl;
  }

  /** {@code jdbcUrl} with the value of a {@code password=} parameter hidden, for messages. */
  static String redacted(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** How messages name the database. */
  String label() {
    return label;
  }

  /** The user connected as when none is given. */
  String defaultUser() {
    return defaultUser;
  }

  /**
   * A HikariCP configuration for {@code jdbcUrl} that gives up connecting after five seconds, the
   * driver's connect timeout included; the caller names and sizes the pool.
   */
  HikariConfig poolConfig(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(driverUrl(jdbcUrl));
    config.setUsername(user);
    config.setPassword(password);
    config.setConnectionTimeout(5_000);
    config.addDataSourceProperty("connectTimeout", connectTimeout);
    return config;
  }

  /** The outbox dialect for this database. */
  OutboxDialect dialect() {
    return this == POSTGRESQL ? new PostgresDialect() : new MySqlDialect();
  }
}
