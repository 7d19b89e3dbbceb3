package dev.outbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxTables;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;

/**
 * One run of the command: where it prints, where it asks, and the database it was pointed at,
 * connected to on first use.
 */
final class Session implements AutoCloseable {
  static final String ENV_URL = "OUTBOX_JDBC_URL";
  static final String ENV_USER = "OUTBOX_USER";
  static final String ENV_PASSWORD = "OUTBOX_PASSWORD";

  /** Where the command looks when neither {@code --jdbc-url} nor the variable is given. */
  static final String DEFAULT_JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

  final PrintStream out;
  final PrintStream err;
  final boolean json;
  private final InputStream terminal;
  private final String jdbcUrl;
  private final Database database;
  private final String user;
  private final String password;
  private final OutboxTables tables;
  private HikariDataSource pool;
  private OutboxAdmin admin;

  /**
   * @param terminal where to read a confirmation, or null when there is no terminal to ask on
   * @throws IllegalArgumentException naming the option whose value is wrong
   */
  Session(
      ConnectionOptions given,
      ConnectionOptions top,
      Map<String, String> env,
      InputStream terminal,
      PrintStream out,
      PrintStream err) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
    this.json = given.json || top.json;
    this.jdbcUrl = first(given.jdbcUrl, top.jdbcUrl, env.get(ENV_URL), DEFAULT_JDBC_URL);
    this.database = Database.of(jdbcUrl);
    this.user = first(given.user, top.user, env.get(ENV_USER), database.defaultUser());
    this.password = first(given.password, top.password, env.get(ENV_PASSWORD), "");
    String schema = first(given.schema, top.schema, null, null);
    String table = first(given.table, top.table, null, OutboxTables.DEFAULT_TABLE);
    try {
      this.tables = new OutboxTables(schema, table);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          (e.getMessage().startsWith("schema") ? "--schema: " : "--table: ") + e.getMessage(), e);
    }
  }

  /**
   * The admin, connecting first.
   *
   * @throws CliException with {@link OutboxCli#EXIT_UNREACHABLE} when the database cannot be
   *     reached
   */
  OutboxAdmin admin() {
    if (admin == null) {
      HikariConfig config = database.poolConfig(jdbcUrl, user, password);
      config.setPoolName("outbox-cli");
      config.setMaximumPoolSize(2);
      config.setMinimumIdle(1);
      try {
        pool = new HikariDataSource(config);
      } catch (RuntimeException e) {
        throw new CliException(OutboxCli.EXIT_UNREACHABLE, unreachable(e));
      }
      admin = OutboxAdmin.builder(pool, database.dialect()).tables(tables).build();
    }
    return admin;
  }

  /** The tables, as {@code schema.table} for messages. */
  String where() {
    return (tables.schema() == null ? "" : tables.schema() + ".") + tables.table();
  }

  /** Prints {@code doc} as the run's one JSON document. */
  void json(JsonNode doc) {
    Json.print(out, doc);
  }

  /**
   * Asks {@code question} on the terminal unless {@code yes}.
   *
   * @throws CliException with {@link OutboxCli#EXIT_NOT_CONFIRMED} when there is no terminal, no
   *     answer, or an answer other than yes
   */
  void confirm(String command, String question, boolean yes) {
    if (yes) {
      return;
    }
    if (terminal == null) {
      throw new CliException(
          OutboxCli.EXIT_NOT_CONFIRMED,
          command
              + " changes the outbox and needs a confirmation, but there is no terminal to ask"
              + " on: rerun with --yes to go ahead, or --dry-run to only look; nothing changed");
    }
    err.print(question + " [y/N] ");
    err.flush();
    String answer;
    try {
      answer =
          new BufferedReader(new InputStreamReader(terminal, StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      answer = null;
    }
    if (answer == null) {
      throw new CliException(
          OutboxCli.EXIT_NOT_CONFIRMED,
          command
              + " needs a confirmation but standard input ended without one: rerun with --yes"
              + " to go ahead; nothing changed");
    }
    String a = answer.strip().toLowerCase(Locale.ROOT);
    if (!a.equals("y") && !a.equals("yes")) {
      throw new CliException(OutboxCli.EXIT_NOT_CONFIRMED, "not confirmed; nothing changed");
    }
  }

  private String unreachable(RuntimeException e) {
    Throwable root = e;
    SQLException sql = null;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
      sql = root instanceof SQLException s ? s : sql;
    }
    String where =
        "could not connect to "
            + database.label()
            + " at "
            + Database.redacted(jdbcUrl)
            + " as user '"
            + user
            + "': "
            + root.getMessage()
            + "\n";
    if (sql != null && sql.getSQLState() != null && sql.getSQLState().startsWith("28")) {
      // SQL state class 28, invalid authorization: the server answered and refused this user.
      return where
          + "the server refused the user or its password: check --user and --password (or "
          + ENV_USER
          + " and "
          + ENV_PASSWORD
          + ")";
    }
    return where
        + "is the database running there? point the command at yours with --jdbc-url, --user and"
        + " --password (or "
        + ENV_URL
        + ", "
        + ENV_USER
        + ", "
        + ENV_PASSWORD
        + ")";
  }

  private static String first(String a, String b, String c, String d) {
    return a != null ? a : b != null ? b : c != null && !c.isEmpty() ? c : d;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    }
  }
}
