package dev.outbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line without a database: parsing, durations, help, and the exit codes 2, 3, 4. */
class OutboxCliTest {

  @ParameterizedTest
  @CsvSource({"0s,0", "30s,30", "15m,900", "1h,3600", "30d,2592000", "500ms,0"})
  void durationsTakeAWholeNumberAndAUnit(String text, long seconds) {
    assertThat(Durations.parse(text).getSeconds()).isEqualTo(seconds);
  }

  @Test
  void durationsRefuseOtherShapes() {
    for (String bad : new String[] {"", "1", "h", "1.5h", "-1h", "1w", "1 h", "3651d"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not a duration");
    }
  }

  @Test
  void durationsPrintInAtMostTwoUnits() {
    assertThat(Durations.format(Duration.ofSeconds(42))).isEqualTo("42s");
    assertThat(Durations.format(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(Durations.format(Duration.ofHours(52))).isEqualTo("2d4h");
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    CliRun run = CliRun.run("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("overview", "messages", "message", "dead", "key", "pause", "resume", "paused")
        .contains("Exit codes:")
        .contains("3   the database cannot be reached")
        .contains("OUTBOX_JDBC_URL");
    CliRun replay = CliRun.run("dead", "replay", "--help");
    assertThat(replay.exitCode()).isZero();
    assertThat(replay.out()).contains("--at-end", "--yes", "--dry-run", "--jdbc-url", "4   ");
  }

  @Test
  void argumentsParseIntoTheCommandsOptions() {
    var line = OutboxCli.commandLine(System.out, System.err);
    var parsed =
        line.parseArgs(
            "dead",
            "replay",
            "--id",
            "3",
            "--id",
            "5",
            "--before",
            "30d",
            "--at-end",
            "--yes",
            "--jdbc-url",
            "jdbc:mariadb://db/app");
    var replay =
        (DeadCommands.DeadReplayCommand)
            parsed.subcommand().subcommand().commandSpec().userObject();
    assertThat(replay.ids).containsExactly(3L, 5L);
    assertThat(replay.filter.before).isEqualTo(Duration.ofDays(30));
    assertThat(replay.atEnd).isTrue();
    assertThat(replay.change.yes).isTrue();
    assertThat(replay.change.dryRun).isFalse();
    assertThat(replay.connection.jdbcUrl).isEqualTo("jdbc:mariadb://db/app");
    var filter = replay.criteria("dead replay");
    assertThat(filter.ids()).containsExactly(3L, 5L);
    assertThat(filter.deadBefore()).isBefore(java.time.Instant.now().minus(Duration.ofDays(29)));

    var messages =
        (MessageCommands.MessagesCommand)
            OutboxCli.commandLine(System.out, System.err)
                .parseArgs("messages", "--state", "waiting", "--limit", "7", "--cursor", "12")
                .subcommand()
                .commandSpec()
                .userObject();
    assertThat(messages.state).isEqualTo(dev.outbox.admin.MessageState.WAITING);
    assertThat(messages.limit).isEqualTo(7);
    assertThat(messages.cursor).isEqualTo("12");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "frob|unknown command 'frob'",
        "overview --bogus|unknown option --bogus",
        "overview --sent-window 3x|--sent-window",
        "overview --sent-window 31d|--sent-window must be between 1s and 30d",
        "dead list --since|--since needs a value",
        "dead list --limit abc|--limit",
        "dead list --limit 0|--limit must be between 1 and 1000",
        "dead|needs a subcommand: list, show, replay, purge",
        "dead show x|ID",
        "dead purge|dead purge needs --id, a filter",
        "dead replay|dead replay needs --id, a filter",
        "dead purge --all --topic t|--all means every dead letter",
        "message|give a row ID or --message-id",
        "message 3 --message-id 5c3e1a6e-0b1c-4a8e-9b1e-1b2c3d4e5f60|give a row ID or",
        "message --message-id nope|--message-id",
        "messages --state dead|--state: state DEAD is not a pending state: use DUE, LEASED or WAITING",
        "messages --state asleep|--state",
        "key|KEY",
        "key k --retry --dead-letter|choose one",
        "key k --reason r|--reason goes with --dead-letter",
        "pause|pause needs a TOPIC or --all",
        "pause t --all|pause needs a TOPIC or --all",
        "resume|resume needs a TOPIC or --all",
        "overview --jdbc-url jdbc:oracle:thin:@x|--jdbc-url: the command runs on PostgreSQL",
        "overview --schema bad;name|--schema",
      })
  void badArgumentsExitWithTwoNamingTheArgument(String args, String message) {
    // Every one of these is refused before connecting; the URL points at nothing.
    CliRun run = CliRun.run(Map.of(Session.ENV_URL, closedPortUrl()), null, args.split(" "));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(OutboxCli.EXIT_USAGE);
    assertThat(run.err()).as(run.toString()).contains(message);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void anUnreachableDatabaseExitsWithThreeNamingTheUrlWithoutItsPassword() {
    String url = closedPortUrl() + "?password=s3cret";
    CliRun run = CliRun.run("overview", "--jdbc-url", url);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(OutboxCli.EXIT_UNREACHABLE);
    assertThat(run.err())
        .contains("could not connect to PostgreSQL at " + url.replace("s3cret", "***"))
        .doesNotContain("s3cret");

    CliRun mysql =
        CliRun.run(
            Map.of(Session.ENV_URL, closedPortUrl().replace("jdbc:postgresql:", "jdbc:mariadb:")),
            null,
            "paused",
            "--json");
    assertThat(mysql.exitCode()).as(mysql.toString()).isEqualTo(OutboxCli.EXIT_UNREACHABLE);
    assertThat(mysql.err()).contains("could not connect to MySQL/MariaDB at jdbc:mariadb:");
    assertThat(mysql.out()).isEmpty();
  }

  @Test
  void aConfirmationWithoutATerminalIsRefusedWithFour() {
    Session session = session(null);
    assertThatThrownBy(() -> session.confirm("dead purge", "purge 3 dead letter(s)?", false))
        .isInstanceOfSatisfying(
            CliException.class,
            e -> assertThat(e.exitCode()).isEqualTo(OutboxCli.EXIT_NOT_CONFIRMED))
        .hasMessageContaining("no terminal")
        .hasMessageContaining("--yes");
  }

  @Test
  void aConfirmationIsAnsweredOnTheTerminal() {
    session("y\n").confirm("dead purge", "purge?", false);
    session("").confirm("dead purge", "purge?", true);
    for (String answer : new String[] {"n\n", "\n", "whatever\n", ""}) {
      assertThatThrownBy(() -> session(answer).confirm("dead purge", "purge?", false))
          .as(answer)
          .isInstanceOfSatisfying(
              CliException.class,
              e -> assertThat(e.exitCode()).isEqualTo(OutboxCli.EXIT_NOT_CONFIRMED));
    }
  }

  @Test
  void theEnvironmentGivesTheUrlUserAndPasswordAndOptionsWin() {
    String url = closedPortUrl();
    Map<String, String> env =
        Map.of(
            Session.ENV_URL, url,
            Session.ENV_USER, "envuser",
            Session.ENV_PASSWORD, "envpass");
    CliRun run = CliRun.run(env, null, "paused");
    assertThat(run.exitCode()).isEqualTo(OutboxCli.EXIT_UNREACHABLE);
    assertThat(run.err()).contains(url).contains("as user 'envuser'");
    CliRun flag = CliRun.run(env, null, "--user", "top", "paused");
    assertThat(flag.err()).contains("as user 'top'");
    CliRun leaf = CliRun.run(env, null, "--user", "top", "paused", "--user", "leaf");
    assertThat(leaf.err()).contains("as user 'leaf'");
  }

  private static Session session(String typed) {
    return new Session(
        new ConnectionOptions(),
        new ConnectionOptions(),
        Map.of(),
        typed == null
            ? null
            : new java.io.ByteArrayInputStream(
                typed.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        System.out,
        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
  }

  /** A PostgreSQL URL on a local port nothing listens on. */
  private static String closedPortUrl() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "jdbc:postgresql://127.0.0.1:" + s.getLocalPort() + "/postgres";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
