package dev.outbox.testkit;

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
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dialect's scripts sit outside Flyway's default location, so an application's own Flyway run
 * with its defaults never sees them, and a database migrated when they sat under {@code
 * db/migration/outbox/<database>} still validates and needs nothing new. A dialect module runs it
 * through a subclass that names its database, its scripts and where they are.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class MigrationLocationContract {
  private TestDatabase db;
  private HikariDataSource dataSource;
  private List<String> scripts;

  /** The database this module tests against: a new schema on a real server. */
  protected abstract TestDatabase openDatabase();

  /** The scripts, in order, as shipped; the same files sit at {@link #migrationLocation()}. */
  protected abstract List<String> shippedScripts();

  /** Where the dialect's scripts are now: {@code classpath:…}. */
  protected abstract String migrationLocation();

  /** The folder the scripts sat in before they moved, such as {@code db/migration/outbox/mysql}. */
  protected abstract String oldFolder();

  /** Drops the schema (or, on MySQL, the database) named {@code schema}. */
  protected abstract String dropSchemaSql(String schema);

  @BeforeAll
  final void openDb() {
    db = openDatabase();
    dataSource = db.dataSource("migration-location", 2);
    scripts = shippedScripts();
  }

  @AfterAll
  final void closeDb() {
    dataSource.close();
    db.close();
  }

  @Test
  public final void theApplicationsOwnFlywayWithDefaultsFindsOnlyItsOwnMigrations(@TempDir Path dir)
      throws Exception {
    String schema = db.schema() + "_app";
    Path own = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(
        own.resolve("V1__application_orders.sql"), "CREATE TABLE app_orders (id BIGINT);");
    // The application's class path: its own db/migration before this module's jars.
    try (URLClassLoader appClassPath =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Flyway app = Flyway.configure(appClassPath).dataSource(dataSource).schemas(schema).load();
      migrateBesideTheOutbox(app, schema);
    } finally {
      execute(dropSchemaSql(schema));
    }
  }

  private void migrateBesideTheOutbox(Flyway app, String schema) {
    assertThat(app.migrate().migrationsExecuted).isEqualTo(1);
    assertThat(app.info().applied())
        .extracting(MigrationInfo::getDescription)
        .containsExactly("<< Flyway Schema Creation >>", "application orders");

    OutboxTables tables = new OutboxTables(schema, "outbox_message");
    assertThat(OutboxMigrations.migrate(dataSource, db.dialect(), tables))
        .as("the outbox, beside the application's Flyway in the same schema")
        .isEqualTo(scripts.size());
    assertThat(app.validateWithResult().validationSuccessful)
        .as("the application's history is untouched by the outbox")
        .isTrue();
  }

  @Test
  public final void aDatabaseMigratedFromTheOldLocationValidatesAndNeedsNothingNew(
      @TempDir Path dir) throws Exception {
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
    assertThat(before.migrate().migrationsExecuted).isEqualTo(scripts.size());

    assertThat(OutboxMigrations.migrate(dataSource, db.dialect(), tables))
        .as("nothing to apply: same versions, descriptions and checksums")
        .isZero();
    assertThat(historyRows(tables))
        .as("the history written from the old location, unchanged")
        .containsExactlyElementsOf(scripts.stream().map(v -> Map.entry(v, true)).toList());
  }

  /** Copies the shipped scripts, unchanged, into {@link #oldFolder()}. */
  private Path copyToOldLayout(Path dir) throws Exception {
    Path old = Files.createDirectories(dir.resolve(oldFolder()));
    String location = migrationLocation().substring("classpath:".length());
    for (String script : scripts) {
      try (InputStream in =
          db.dialect().getClass().getClassLoader().getResourceAsStream(location + "/" + script)) {
        assertThat(in).as(script + " at " + location).isNotNull();
        Files.copy(in, old.resolve(script));
      }
    }
    return old;
  }

  private List<Map.Entry<String, Boolean>> historyRows(OutboxTables tables) throws Exception {
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

  private void execute(String sql) throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
