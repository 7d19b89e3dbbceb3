package dev.outbox;

import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.OutboxTables;
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
 * Flyway CLI or Maven plugin; see the README for the locations and placeholders.
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
   * @throws MigrationFailedException if Flyway fails
   */
  public static int migrate(DataSource dataSource, OutboxDialect dialect, OutboxTables tables) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(tables, "tables");
    try {
      MigrateResult result = configure(dataSource, dialect, tables).load().migrate();
      return result.migrationsExecuted;
    } catch (FlywayException e) {
      throw new MigrationFailedException(
          "migrating outbox table " + tables.table() + " failed: " + e.getMessage(), e);
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
