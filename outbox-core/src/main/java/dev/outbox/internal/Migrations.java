package dev.outbox.internal;

import dev.outbox.MigrationFailedException;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Runs a set of the shipped Flyway migrations (the outbox's, the inbox's) with its own history
 * table, after checking that the database is one the dialect supports. What {@code
 * OutboxMigrations} and {@code Inbox.migrate()} share.
 */
public final class Migrations {
  private Migrations() {}

  /**
   * What to migrate.
   *
   * @param what the tables' description for messages, such as {@code "outbox table orders"}
   * @param location the Flyway location of the scripts
   * @param schema the schema (MySQL: database) to migrate in and create if missing, or null for the
   *     connection's current one
   * @param historyTable the Flyway history table of this set of scripts
   * @param placeholders the scripts' placeholders
   */
  public record Target(
      String what,
      String location,
      String schema,
      String historyTable,
      Map<String, String> placeholders) {}

  /**
   * Checks the database, then migrates {@code target}.
   *
   * @return how many migrations were applied (0 when already up to date)
   * @throws MigrationFailedException if Flyway fails, the database cannot be reached, or it is not
   *     one the dialect supports (checked before anything is written)
   */
  public static int migrate(DataSource dataSource, OutboxDialect dialect, Target target) {
    checkDatabase(dataSource, dialect, target.what());
    try {
      return configure(dataSource, target).load().migrate().migrationsExecuted;
    } catch (FlywayException e) {
      throw new MigrationFailedException(
          "migrating " + target.what() + " failed: " + e.getMessage(), e);
    }
  }

  /** Refuses a database the dialect does not support, before Flyway touches it. */
  private static void checkDatabase(DataSource dataSource, OutboxDialect dialect, String what) {
    String product;
    String version;
    String url;
    try (Connection c = dataSource.getConnection()) {
      DatabaseMetaData meta = c.getMetaData();
      product = meta.getDatabaseProductName();
      version = meta.getDatabaseProductVersion();
      url = meta.getURL();
    } catch (SQLException e) {
      throw new MigrationFailedException(
          "cannot migrate the " + what + ": connecting to the database failed: " + e.getMessage(),
          e);
    }
    if (!dialect.supports(product)) {
      throw new MigrationFailedException(
          "the "
              + dialect.name()
              + " dialect cannot migrate a "
              + product
              + " "
              + version
              + " database ("
              + Checks.withoutPassword(url)
              + "): nothing was changed; use the dialect of that database",
          null);
    }
  }

  private static FluentConfiguration configure(DataSource dataSource, Target target) {
    FluentConfiguration config =
        Flyway.configure(Migrations.class.getClassLoader())
            .dataSource(dataSource)
            .locations(target.location())
            .table(target.historyTable())
            .placeholders(target.placeholders())
            // The schema usually holds the application's tables already; start our history at
            // version 0 so that V1 still runs.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .validateMigrationNaming(true);
    if (target.schema() != null) {
      config.defaultSchema(target.schema()).schemas(target.schema()).createSchemas(true);
    }
    return config;
  }
}
