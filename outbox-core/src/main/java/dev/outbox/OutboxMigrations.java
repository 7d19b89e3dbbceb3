package dev.outbox;

import dev.outbox.internal.Checks;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates or upgrades the outbox tables with the Flyway migrations shipped in the database module.
 *
 * <p>The migrations keep their own history table ({@code <table>_schema_history}), so they never
 * collide with the application's own Flyway migrations in the same schema, and several outboxes
 * (different table names) can live in one schema. Safe to run from several instances at once:
 * Flyway serializes them with a database lock. The same scripts can be run at deploy time with the
 * Flyway CLI or Maven plugin; docs/operations.md gives the locations and placeholders.
 */
public final class OutboxMigrations {
  private OutboxMigrations() {}

  /**
   * Migrates the default tables ({@value OutboxTables#DEFAULT_TABLE} in the connection's current
   * schema).
   *
   * @return how many migrations were applied (0 when already up to date)
   * @throws MigrationFailedException if Flyway fails
   */
  public static int migrate(DataSource dataSource, OutboxDialect dialect) {
    return migrate(dataSource, dialect, OutboxTables.defaults());
  }

  /**
   * Migrates the tables named by {@code tables}, creating the schema if it does not exist.
   *
   * @return how many migrations were applied (0 when already up to date)
   * @throws MigrationFailedException if Flyway fails, the database cannot be reached, or it is not
   *     one the dialect supports (checked before anything is written)
   */
  public static int migrate(DataSource dataSource, OutboxDialect dialect, OutboxTables tables) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(tables, "tables");
    checkDatabase(dataSource, dialect);
    try {
      MigrateResult result = configure(dataSource, dialect, tables).load().migrate();
      return result.migrationsExecuted;
    } catch (FlywayException e) {
      throw new MigrationFailedException(
          "migrating outbox table " + tables.table() + " failed: " + e.getMessage(), e);
    }
  }

  /** Refuses a database the dialect does not support, before Flyway touches it. */
  private static void checkDatabase(DataSource dataSource, OutboxDialect dialect) {
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
          "cannot migrate the outbox tables: connecting to the database failed: " + e.getMessage(),
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

  private static FluentConfiguration configure(
      DataSource dataSource, OutboxDialect dialect, OutboxTables tables) {
    FluentConfiguration config =
        Flyway.configure(OutboxMigrations.class.getClassLoader())
            .dataSource(dataSource)
            .locations(dialect.migrationLocation())
            .table(tables.historyTable())
            .placeholders(dialect.migrationPlaceholders(tables))
            // The schema usually holds the application's tables already; start our history at
            // version 0 so that V1 still runs.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .validateMigrationNaming(true);
    if (tables.schema() != null) {
      config.defaultSchema(tables.schema()).schemas(tables.schema()).createSchemas(true);
    }
    return config;
  }
}
