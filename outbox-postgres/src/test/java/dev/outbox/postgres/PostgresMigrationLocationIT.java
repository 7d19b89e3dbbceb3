package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox's scripts sit outside Flyway's default location, so an application's own Flyway run
 * with its defaults never sees them, and a database migrated when they sat under {@code
 * db/migration/outbox/postgresql} still validates and needs nothing new.
 */
class PostgresMigrationLocationIT {
  /** The scripts, in order, as shipped; the same files now sit at the new location. */
  private static final List<String> SCRIPTS =
      List.of(
          "V1__outbox_tables.sql",
          "V2__room_for_hot_claims.sql",
          "V3__unkeyed_pending_index.sql",
          "V4__queue_table_autovacuum.sql",
          "V5__half_free_pages.sql",
          "V6__admin_tables.sql");

  private static PostgresTestDatabase db;
  private static HikariDataSource dataSource;

  @BeforeAll
  static void openDatabase() {
    db = PostgresTestDatabase.create();
    dataSource = db.dataSource("migration-location", 2);
  }

  @AfterAll
  static void closeDatabase() {
    dataSource.close();
    db.close();
  }

  @Test
  void theApplicationsOwnFlywayWithDefaultsFindsOnlyItsOwnMigrations(@TempDir Path dir)
      throws Exception {
    String schema = db.schema() + "_app";
    Path own = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(
        own.resolve("V1__application_orders.sql"), "CREATE TABLE app_orders (id BIGINT);");
    // The application's class path: its own db/migration before this module's jars.
    try (URLClassLoader appClassPath =
        new URLClassLoader(
            new URL[] {dir.toUri().toURL()}, PostgresMigrationLocationIT.class.getClassLoader())) {
      Flyway app = Flyway.configure(appClassPath).dataSource(dataSource).schemas(schema).load();
      migrateBesideTheOutbox(app, schema);
    } finally {
      execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  private static void migrateBesideTheOutbox(Flyway app, String schema) {
    assertThat(app.migrate().migrationsExecuted).isEqualTo(1);
    assertThat(app.info().applied())
        .extracting(MigrationInfo::getDescription)
        .containsExactly("<< Flyway Schema Creation >>", "application orders");

    OutboxTables tables = new OutboxTables(schema, "outbox_message");
    assertThat(OutboxMigrations.migrate(dataSource, db.dialect(), tables))
        .as("the outbox, beside the application's Flyway in the same schema")
        .isEqualTo(SCRIPTS.size());
    assertThat(app.validateWithResult().validationSuccessful)
        .as("the application's history is untouched by the outbox")
        .isTrue();
  }

  @Test
  void aDatabaseMigratedFromTheOldLocationValidatesAndNeedsNothingNew(@TempDir Path dir)
      throws Exception {
    OutboxTables tables = new OutboxTables(db.schema(), "old_layout");
    Path old = copyToOldLayout(dir);
    // What OutboxMigrations ran before the move: the same settings, the old location.
    Flyway before =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("filesystem:" + old)
            .table(tables.historyTable())
            .placeholders(db.dialect().migrationPlaceholders(tables))
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .defaultSchema(db.schema())
            .schemas(db.schema())
            .load();
    assertThat(before.migrate().migrationsExecuted).isEqualTo(SCRIPTS.size());

    assertThat(OutboxMigrations.migrate(dataSource, db.dialect(), tables))
        .as("nothing to apply: same versions, descriptions and checksums")
        .isZero();
    assertThat(historyRows(tables))
        .as("the history written from the old location, unchanged")
        .containsExactlyElementsOf(SCRIPTS.stream().map(v -> Map.entry(v, true)).toList());
  }

  /** Copies the shipped scripts, unchanged, into {@code db/migration/outbox/postgresql}. */
  private static Path copyToOldLayout(Path dir) throws Exception {
    Path old = Files.createDirectories(dir.resolve("db/migration/outbox/postgresql"));
    String location = PostgresDialect.MIGRATION_LOCATION.substring("classpath:".length());
    for (String script : SCRIPTS) {
      try (InputStream in =
          PostgresDialect.class.getClassLoader().getResourceAsStream(location + "/" + script)) {
        assertThat(in).as(script + " at " + location).isNotNull();
        Files.copy(in, old.resolve(script));
      }
    }
    return old;
  }

  private static List<Map.Entry<String, Boolean>> historyRows(OutboxTables tables)
      throws Exception {
    List<Map.Entry<String, Boolean>> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT script, success FROM "
                    + db.schema()
                    + "."
                    + tables.historyTable()
                    + " ORDER BY installed_rank")) {
      while (rs.next()) {
        rows.add(Map.entry(rs.getString(1), rs.getBoolean(2)));
      }
    }
    return rows;
  }

  private static void execute(String sql) throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
