package dev.outbox.cli;

import dev.outbox.OutboxException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code outbox} command line: what an on-call engineer asks of an outbox and does to it, over
 * {@link dev.outbox.OutboxAdmin}, on PostgreSQL and MySQL/MariaDB. This module's jar runs on its
 * own, both JDBC drivers inside: {@code java -jar outbox-cli-VERSION.jar --help} lists the
 * commands. The database is given with {@code --jdbc-url}, {@code --user} and {@code --password},
 * or the environment variables {@code OUTBOX_JDBC_URL}, {@code OUTBOX_USER} and {@code
 * OUTBOX_PASSWORD}; an option wins over its variable.
 *
 * <p>{@link #run} runs it in-process (tests, another launcher); {@link #main} exits with its code.
 * Exit codes: {@link #EXIT_OK} 0, {@link #EXIT_FAILED} 1, {@link #EXIT_USAGE} 2, {@link
 * #EXIT_UNREACHABLE} 3, {@link #EXIT_NOT_CONFIRMED} 4.
 */
public final class OutboxCli {
  /** Done. */
  public static final int EXIT_OK = 0;

  /** The operation failed: a database error, or the row asked for does not exist. */
  public static final int EXIT_FAILED = 1;

  /** Bad arguments; the message names the argument. */
  public static final int EXIT_USAGE = 2;

  /** The database could not be reached (or refused the user). */
  public static final int EXIT_UNREACHABLE = 3;

  /** A change was not confirmed: refused, or no terminal to ask on and no {@code --yes}. */
  public static final int EXIT_NOT_CONFIRMED = 4;

  static final String CODE_0 = "0:done";
  static final String CODE_1 =
      "1:the operation failed (a database error, or the row asked for does not exist)";
  static final String CODE_2 = "2:bad arguments (the message names the argument)";
  static final String CODE_3 = "3:the database cannot be reached";
  static final String CODE_4 =
      "4:a change was not confirmed (answered no, or no terminal and no --yes)";

  /** SQL states of a missing table: PostgreSQL's undefined_table, MySQL's ER_NO_SUCH_TABLE. */
  private static final Set<String> MISSING_TABLE = Set.of("42P01", "42S02");

  /** MySQL's and MariaDB's ER_NO_DB_ERROR: the URL names no database and no --schema was given. */
  private static final String NO_DATABASE = "3D000";

  private OutboxCli() {}

  /** A command that does something once its options are parsed. */
  interface Action {
    /** Runs with the session's database and output; returns the exit code. */
    int run(Session session);
  }

  /** The top command: its subcommands, and the options they all take. */
  @Command(
      name = "outbox",
      sortOptions = false,
      usageHelpWidth = 100,
      descriptionHeading = "%n",
      description = "Inspect and repair a JDBC outbox: backlog, dead letters, keys, pauses.",
      optionListHeading = "%nOptions (also after the command):%n",
      commandListHeading = "%nCommands:%n",
      synopsisSubcommandLabel = "COMMAND",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3, CODE_4},
      footerHeading = "%n",
      footer = {
        "Durations: a whole number and a unit: 500ms, 30s, 15m, 1h, 30d.",
        "Changes (dead replay, dead purge, key --retry, key --dead-letter, pause, resume) show"
            + " what they would touch and ask first; --yes skips the question, --dry-run only"
            + " shows."
      },
      subcommands = {
        MessageCommands.OverviewCommand.class,
        MessageCommands.MessagesCommand.class,
        MessageCommands.MessageCommand.class,
        DeadCommands.DeadCommand.class,
        KeyCommand.class,
        PauseCommands.PauseCommand.class,
        PauseCommands.ResumeCommand.class,
        PauseCommands.PausedCommand.class,
        ConsoleCommand.class
      })
  static final class Top {
    @Mixin ConnectionOptions connection = new ConnectionOptions();
  }

  /** Runs the command with {@code args} and exits with its exit code. */
  public static void main(String[] args) {
    for (String logger : new String[] {"com.zaxxer.hikari"}) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "off");
      }
    }
    // Confirmations are asked only on a terminal: piped input is not an operator's answer.
    InputStream terminal = System.console() == null ? null : System.in;
    System.exit(run(args, System.getenv(), terminal, System.out, System.err));
  }

  /**
   * {@link #run(String[], Map, InputStream, PrintStream, PrintStream)} with the process's
   * environment.
   */
  public static int run(String[] args, InputStream terminal, PrintStream out, PrintStream err) {
    return run(args, System.getenv(), terminal, out, err);
  }

  /**
   * Runs the command with {@code args} in this JVM.
   *
   * @param env where {@code OUTBOX_JDBC_URL}, {@code OUTBOX_USER} and {@code OUTBOX_PASSWORD} are
   *     read
   * @param terminal where a confirmation is read, or null when there is no terminal to ask on
   * @return the exit code {@link #main} would exit with
   */
  public static int run(
      String[] args,
      Map<String, String> env,
      InputStream terminal,
      PrintStream out,
      PrintStream err) {
    CommandLine line = commandLine(out, err);
    ParseResult parsed;
    try {
      parsed = parse(line, args);
    } catch (IllegalArgumentException e) {
      return usage(err, unknownCommand(e).orElse(e.getMessage()));
    }
    ParseResult leaf = parsed;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return EXIT_OK;
    }
    Object command = leaf.commandSpec().userObject();
    if (!(command instanceof Action action)) {
      // "outbox" or "outbox dead" alone: which subcommand?
      return usage(
          err,
          "'"
              + leaf.commandSpec().qualifiedName()
              + "' needs a subcommand: "
              + String.join(", ", leaf.commandSpec().subcommands().keySet()));
    }
    Top top = (Top) parsed.commandSpec().userObject();
    ConnectionOptions given =
        leaf.commandSpec().mixins().containsKey("connection")
            ? (ConnectionOptions) leaf.commandSpec().mixins().get("connection").userObject()
            : top.connection;
    String name = leaf.commandSpec().qualifiedName(" ").replaceFirst("^outbox ", "");
    Session session;
    try {
      session = new Session(given, top.connection, env, terminal, out, err);
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    }
    try (session) {
      return action.run(session);
    } catch (CliException e) {
      err.println("outbox " + name + ": " + e.getMessage());
      return e.exitCode();
    } catch (IllegalArgumentException e) {
      return usage(err, name + ": " + e.getMessage());
    } catch (OutboxException e) {
      err.println("outbox " + name + ": " + e.getMessage());
      hint(e).ifPresent(h -> err.println("outbox " + name + ": " + h));
      return EXIT_FAILED;
    } catch (UnsupportedOperationException e) {
      err.println("outbox " + name + ": " + e.getMessage());
      return EXIT_FAILED;
    }
  }

  /** What the operator can do about a failed query, when its SQL state says. */
  private static Optional<String> hint(OutboxException e) {
    String state = e.getCause() instanceof SQLException sql ? sql.getSQLState() : null;
    if (MISSING_TABLE.contains(state)) {
      return Optional.of("are the outbox tables migrated there? --schema and --table name them");
    }
    if (NO_DATABASE.equals(state)) {
      return Optional.of(
          "the URL names no database: give the one that holds the outbox tables with --schema"
              + " (on MySQL/MariaDB a schema is a database), or put it in the URL");
    }
    return Optional.empty();
  }

  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine line = new CommandLine(new Top());
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.registerConverter(Duration.class, OutboxCli::duration);
    line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    line.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    return line;
  }

  /**
   * Parses {@code args}; an option given twice keeps its last value.
   *
   * @throws IllegalArgumentException naming an unknown option, an argument that is none, or an
   *     option without its value
   */
  private static ParseResult parse(CommandLine line, String[] args) {
    line.setOverwrittenOptionsAllowed(true);
    try {
      return line.parseArgs(args);
    } catch (UnmatchedArgumentException e) {
      String first = e.getUnmatched().get(0);
      throw new IllegalArgumentException(
          first.startsWith("--")
              ? "unknown option " + first.split("=", 2)[0] + "; see --help"
              : "unexpected argument '" + first + "'; options start with --",
          e);
    } catch (MissingParameterException e) {
      ArgSpec missing = e.getMissing().get(0);
      String name = missing instanceof OptionSpec o ? o.longestName() : missing.paramLabel();
      throw new IllegalArgumentException(name + " needs a value", e);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** "unknown command 'x'" when a word stands where a subcommand should. */
  private static Optional<String> unknownCommand(IllegalArgumentException e) {
    if (e.getCause() instanceof UnmatchedArgumentException u
        && !u.getUnmatched().isEmpty()
        && !u.getUnmatched().get(0).startsWith("-")
        && !u.getCommandLine().getSubcommands().isEmpty()) {
      return Optional.of(
          "unknown command '"
              + u.getUnmatched().get(0)
              + "'; '"
              + u.getCommandLine().getCommandSpec().qualifiedName()
              + "' has: "
              + String.join(", ", u.getCommandLine().getSubcommands().keySet()));
    }
    return Optional.empty();
  }

  private static Duration duration(String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  private static int usage(PrintStream err, String message) {
    err.println("outbox: " + message);
    err.println("outbox: see 'outbox --help' (or 'outbox COMMAND --help')");
    return EXIT_USAGE;
  }
}
