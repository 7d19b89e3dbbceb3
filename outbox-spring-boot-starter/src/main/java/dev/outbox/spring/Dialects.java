package dev.outbox.spring;

import dev.outbox.mysql.MySqlDialect;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spring.OutboxProperties.DatabaseKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.util.ClassUtils;

/**
 * Picks the dialect for {@code outbox.database}, or from the DataSource's product name. The dialect
 * classes are touched only when their module is on the class path.
 */
final class Dialects {
  private static final String POSTGRES_CLASS = "dev.outbox.postgres.PostgresDialect";
  private static final String MYSQL_CLASS = "dev.outbox.mysql.MySqlDialect";

  private Dialects() {}

  static OutboxDialect choose(OutboxProperties props, DataSource dataSource) {
    DatabaseKind kind = props.getDatabase();
    if (kind == DatabaseKind.AUTO) {
      kind = detect(dataSource);
    }
    if (kind == DatabaseKind.POSTGRESQL) {
      require(POSTGRES_CLASS, "outbox-postgres", kind);
      return Postgres.dialect(props.getPostgres().isNotifications());
    }
    require(MYSQL_CLASS, "outbox-mysql", kind);
    return MySql.dialect();
  }

  private static DatabaseKind detect(DataSource dataSource) {
    String product;
    try (Connection c = dataSource.getConnection()) {
      product = c.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the outbox could not tell the database from the DataSource (connecting failed: "
              + e.getMessage()
              + "); set outbox.database to postgresql or mysql",
          e);
    }
    String p = product.toLowerCase(Locale.ROOT);
    if (p.contains("postgres")) {
      return DatabaseKind.POSTGRESQL;
    }
    if (p.contains("mysql") || p.contains("mariadb")) {
      return DatabaseKind.MYSQL;
    }
    throw new InvalidOutboxPropertyException(
        OutboxProperties.PREFIX + ".database",
        "the DataSource is a "
            + product
            + " database, which the outbox does not support (PostgreSQL, MySQL, MariaDB)",
        null);
  }

  private static void require(String className, String module, DatabaseKind kind) {
    if (!ClassUtils.isPresent(className, Dialects.class.getClassLoader())) {
      throw new InvalidOutboxPropertyException(
          OutboxProperties.PREFIX + ".database",
          "the database is "
              + kind.name().toLowerCase(Locale.ROOT)
              + " but "
              + module
              + " is not on the class path; add the dependency dev.outbox:"
              + module,
          null);
    }
  }

  /** Loaded only when outbox-postgres is present. */
  private static final class Postgres {
    static OutboxDialect dialect(boolean notifications) {
      return notifications ? new PostgresDialect() : PostgresDialect.withoutNotifications();
    }
  }

  /** Loaded only when outbox-mysql is present. */
  private static final class MySql {
    static OutboxDialect dialect() {
      return new MySqlDialect();
    }
  }
}
