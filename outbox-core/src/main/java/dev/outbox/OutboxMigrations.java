package dev.outbox;

import dev.outbox.internal.Migrations;
import dev.outbox.spi.OutboxDialect;
import java.util.Objects;
import javax.sql.DataSource;

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
    return Migrations.migrate(
        dataSource,
        dialect,
        new Migrations.Target(
            "outbox table " + tables.table(),
            dialect.migrationLocation(),
            tables.schema(),
            tables.historyTable(),
            dialect.migrationPlaceholders(tables)));
  }
}
