package dev.outbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.spi.OutboxDialect;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The jar this module builds, run as an operator runs it: {@code java -jar}, in a JVM of its own,
 * with nothing on its class path but itself, the database given in the environment.
 */
class OutboxCliJarIT {
  /** Where failsafe says the packaged jar is (the pom sets it). */
  private static final String JAR_PROPERTY = "outbox.cli.jar";

  @Test
  void helpListsTheCommands() {
    Run run = java(Map.of(), "--help");
    assertThat(run.exitCode).as(run.toString()).isZero();
    assertThat(run.out)
        .startsWith("Usage: outbox ")
        .contains("OUTBOX_JDBC_URL")
        .containsPattern("(?m)^Commands:$")
        .containsPattern("(?m)^  overview +How far behind")
        .containsPattern("(?m)^  dead +Dead letters")
        .containsPattern("(?m)^  console +Serves the web console");
    assertThat(run.err).isEmpty();
  }

  @Test
  void overviewRunsOnPostgreSql() {
    try (TestPostgres pg = TestPostgres.create()) {
      OutboxTables tables = pg.newOutboxTable();
      enlistTwo(pg.dataSource(), pg.dialect(), tables);
      assertOverview(pg.jdbcUrl(), tables);
    }
  }

  @Test
  void overviewRunsOnMariaDbFromAMariaDbUrl() {
    MySqlTestDatabase db = MySqlTestDatabase.create();
    try (db;
        HikariDataSource pool = db.dataSource(db.jdbcUrl(), "outbox-cli-jar-it", 2)) {
      OutboxTables tables = new OutboxTables(db.schema(), "outbox_jar");
      OutboxMigrations.migrate(pool, db.dialect(), tables);
      enlistTwo(pool, db.dialect(), tables);
      assertOverview(db.jdbcUrl().replaceFirst("^jdbc:mysql:", "jdbc:mariadb:"), tables);
    }
  }

  private static void assertOverview(String url, OutboxTables tables) {
    Run run =
        java(
            Map.of(Session.ENV_URL, url),
            "overview",
            "--schema",
            tables.schema(),
            "--table",
            tables.table());
    assertThat(run.exitCode).as(run.toString()).isZero();
    assertThat(run.out)
        .as(run.toString())
        .contains("outbox " + tables.schema() + "." + tables.table() + " at ")
        .containsPattern("(?m)^pending 2, the oldest for \\d+s; dead letters 0$")
        .containsPattern("(?m)^orders +2 +2 +0 +0 +0 +0 +no$")
        .contains("no relay reported in the last minute");
    assertThat(run.err).as(run.toString()).isEmpty();
  }

  private static void enlistTwo(DataSource ds, OutboxDialect dialect, OutboxTables tables) {
    JdbcOutbox outbox = JdbcOutbox.builder(dialect).tables(tables).build();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      outbox.addAll(
          c, List.of(OutboxMessage.of("orders", "k1", "a"), OutboxMessage.of("orders", "k2", "b")));
      c.commit();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code java -jar outbox-cli.jar args}, with {@code env} added to this JVM's environment. */
  private static Run java(Map<String, String> env, String... args) {
    String jar = System.getProperty(JAR_PROPERTY);
    assertThat(jar)
        .as("system property %s (set by the pom; run with mvn verify)", JAR_PROPERTY)
        .isNotBlank();
    assertThat(Path.of(jar)).as("the packaged jar").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-jar", jar));
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("outbox-cli-out", ".txt");
      Path err = Files.createTempFile("outbox-cli-err", ".txt");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove(Session.ENV_URL);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close(); // no terminal: nothing to read a confirmation from
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("java -jar did not end within 60s: " + command);
        }
        return new Run(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }
}
