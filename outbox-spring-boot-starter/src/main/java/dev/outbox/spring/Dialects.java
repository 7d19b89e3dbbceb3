package dev.outbox.spring;

import dev.outbox.mysql.MySqlDialect;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spring.OutboxSettings.DatabaseKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.util.ClassUtils;

/**
 * Picks the dialect for {@code outbox.database} (or an instance's {@code database}), or from the
 * DataSource's product name. The dialect classes are touched only when their module is on the class
 * path.
 */
final class Dialects {
  private static final String POSTGRES_CLASS = "dev.outbox.postgres.PostgresDialect";
  private static final String MYSQL_CLASS = "dev.outbox.mysql.MySqlDialect";

  private Dialects() {}

  /** The dialect of {@code settings}, whose properties are under {@code prefix}. */
  static OutboxDialect choose(OutboxSettings settings, String prefix, DataSource dataSource) {
    DatabaseKind kind = settings.getDatabase();
    String property = prefix + ".database";
    if (kind == DatabaseKind.AUTO) {
      kind = detect(dataSource, property);
    }
    if (kind == DatabaseKind.POSTGRESQL) {
      require(POSTGRES_CLASS, "outbox-postgres", kind, property);
      return Postgres.dialect(settings.getPostgres().isNotifications());
    }
    require(MYSQL_CLASS, "outbox-mysql", kind, property);
    return MySql.dialect();
  }

  private static DatabaseKind detect(DataSource dataSource, String property) {
    String product;
    try (Connection c = dataSource.getConnection()) {
      product = c.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the outbox could not tell the database from the DataSource (connecting failed: "
              + e.getMessage()
              + "); set "
              + property
              + " to postgresql or mysql",
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
        property,
        "the DataSource is a "
            + product
            + " database, which the outbox does not support (PostgreSQL, MySQL, MariaDB)",
        null);
  }

  private static void require(String className, String module, DatabaseKind kind, String property) {
    if (!ClassUtils.isPresent(className, Dialects.class.getClassLoader())) {
      throw new InvalidOutboxPropertyException(
          property,
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
