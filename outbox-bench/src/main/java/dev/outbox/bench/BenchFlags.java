package dev.outbox.bench;

import dev.outbox.Ordering;
import dev.outbox.bench.BenchOptions.Database;
import dev.outbox.bench.BenchOptions.Scenario;
import dev.outbox.examples.CommandLines;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * Parses the command line ({@code --flag value} or {@code --flag=value}, with picocli) into {@link
 * BenchOptions}. Unknown flags and malformed values are refused with a message naming them; the
 * values are checked here and by {@link BenchOptions.Builder}.
 */
final class BenchFlags {
  private BenchFlags() {}

  /** The flags, as picocli reads them; every value is a string checked by {@link #apply}. */
  @Command(
      name = "bench",
      sortOptions = false,
      usageHelpWidth = 100,
      headerHeading = "",
      header =
          "Runs the JDBC Outbox benchmark: every scenario interleaved with its raw-SQL baseline.",
      synopsisHeading = "%nUsage: ",
      optionListHeading = "%n",
      footerHeading = "%n",
      footer = {
        "The per-key claim's matrix and backlog pair, without the NONE drains:",
        "  --scenarios drain,backlog --keys 1,10,100,10000 --relays 1,2,4 --batch-sizes 100",
        "  --orderings per_key"
      })
  static final class Flags {
    @Option(
        names = "--database",
        paramLabel = "postgresql|mysql",
        description = "database to run against (default postgresql; mysql also means MariaDB)")
    String database;

    @Option(
        names = "--url",
        paramLabel = "JDBC_URL",
        description =
            "server, user and password in the URL (default jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres, with mysql jdbc:mysql://127.0.0.1:3306/?user=root)")
    String url;

    @Option(
        names = "--schema",
        paramLabel = "NAME",
        description =
            "dedicated schema (MySQL: database), created and dropped (default outbox_bench)")
    String schema;

    @Option(
        names = "--scenarios",
        paramLabel = "LIST",
        description =
            "produce,e2e,drain,latency,growth,backlog,minimal,slow-sender,failing-sender,rabbitmq,kafka,soak,unanalysed (default the first five and minimal: backlog and unanalysed are the longest, the others need brokers; soak runs alone)")
    String scenarios;

    @Option(
        names = "--rounds",
        paramLabel = "N",
        description = "interleaved baseline/outbox rounds, >= 3 (default 3)")
    String rounds;

    @Option(
        names = "--messages",
        paramLabel = "N",
        description = "messages per produce run and per drained backlog (default 50000)")
    String messages;

    @Option(names = "--payload-bytes", paramLabel = "N", description = "payload size (default 200)")
    String payloadBytes;

    @Option(
        names = "--producer-threads",
        paramLabel = "N",
        description = "producing threads (default 4)")
    String producerThreads;

    @Option(
        names = "--relays",
        paramLabel = "LIST",
        description = "relay counts for drain (default 1,2,4)")
    String relays;

    @Option(
        names = "--batch-sizes",
        paramLabel = "LIST",
        description = "batch sizes for drain (default 100,1000)")
    String batchSizes;

    @Option(
        names = "--keys",
        paramLabel = "LIST",
        description =
            "distinct keys of the PER_KEY drain and backlog backlogs, spread round-robin over the backlog (default 100,10000)")
    String keys;

    @Option(
        names = "--orderings",
        paramLabel = "LIST",
        description = "none,per_key: orderings drain runs (default both)")
    String orderings;

    @Option(
        names = "--backlog-sizes",
        paramLabel = "LIST",
        description =
            "backlog scenario: PER_KEY drains, 1 relay, batch 100, of each size; per-message cost at the largest against the smallest (default 20000,200000)")
    String backlogSizes;

    @Option(
        names = "--latency-rates",
        paramLabel = "LIST",
        description = "fixed producer rates, messages/s (default 500,5000)")
    String latencyRates;

    @Option(
        names = "--latency-duration",
        paramLabel = "DURATION",
        description = "per latency run, e.g. 20s or 500ms (default 20s)")
    String latencyDuration;

    @Option(
        names = "--poll-interval",
        paramLabel = "DURATION",
        description = "relay and raw poller poll interval in latency (default 1s)")
    String pollInterval;

    @Option(
        names = "--in-flight",
        paramLabel = "N",
        description = "every relay's maxBatchesInFlight (default the relay's, 8)")
    String inFlight;

    @Option(
        names = "--history-rows",
        paramLabel = "N",
        description = "sent rows for the backlog-growth scenario (default 1000000)")
    String historyRows;

    @Option(
        names = "--growth-claims",
        paramLabel = "N",
        description = "claims timed per growth round (default 50)")
    String growthClaims;

    @Option(
        names = "--amqp-url",
        paramLabel = "URI",
        description =
            "RabbitMQ of the rabbitmq scenario (default amqp://guest:guest@127.0.0.1:5672)")
    String amqpUrl;

    @Option(
        names = "--kafka-bootstrap",
        paramLabel = "HOST:PORT",
        description = "Kafka of the kafka scenario (default a broker started in-process)")
    String kafkaBootstrap;

    @Option(
        names = "--soak-duration",
        paramLabel = "DURATION",
        description = "soak: how long the producers run (default 15m)")
    String soakDuration;

    @Option(
        names = "--soak-rate",
        paramLabel = "N",
        description = "soak: messages/s, steady (default 200)")
    String soakRate;

    @Option(
        names = "--long-transaction",
        paramLabel = "DURATION",
        description =
            "soak: an unrelated transaction open this long, starting a third of the way into the rest (default 5m)")
    String longTransaction;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "JSON results (default bench-results/bench-<time>.json)")
    String out;

    @Option(names = "--no-warmup", description = "skip the unreported warm-up")
    boolean noWarmup;

    @Option(names = "--help", usageHelp = true, description = "this text")
    boolean help;
  }

  /** What {@code --help} prints. */
  static final String USAGE = new CommandLine(new Flags()).getUsageMessage(Help.Ansi.OFF);

  /** Thrown for {@code --help}: the caller prints {@link #USAGE} and exits normally. */
  static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HelpRequested() {
      super("help requested", null, false, false);
    }
  }

  /**
   * The options given by {@code args}; a flag given twice takes its last value.
   *
   * @throws IllegalArgumentException naming an unknown flag, a missing or malformed value, or a
   *     setting out of range
   * @throws HelpRequested for {@code --help}
   */
  static BenchOptions parse(String... args) {
    CommandLine line = new CommandLine(new Flags());
    ParseResult parsed = CommandLines.parse(line, args, "flag");
    if (line.isUsageHelpRequested()) {
      throw new HelpRequested();
    }
    BenchOptions.Builder b = BenchOptions.builder();
    for (OptionSpec option : parsed.matchedOptions()) {
      String name = option.longestName().substring(2);
      if (name.equals("no-warmup")) {
        b.warmup(false);
      } else {
        apply(b, name, option.getValue());
      }
    }
    return b.build();
  }

  private static void apply(BenchOptions.Builder b, String name, String value) {
    switch (name) {
      case "database" -> b.database(database(value));
      case "url" -> b.jdbcUrl(value);
      case "schema" -> b.schema(value);
      case "scenarios" -> b.scenarios(scenarios(value));
      case "rounds" -> b.rounds(integer(name, value));
      case "messages" -> b.messages(integer(name, value));
      case "payload-bytes" -> b.payloadBytes(integer(name, value));
      case "producer-threads" -> b.producerThreads(integer(name, value));
      case "relays" -> b.relayCounts(integers(name, value));
      case "batch-sizes" -> b.batchSizes(integers(name, value));
      case "keys" -> b.keyCounts(integers(name, value));
      case "orderings" -> b.orderings(orderings(value));
      case "backlog-sizes" -> b.backlogSizes(integers(name, value));
      case "latency-rates" -> b.latencyRates(integers(name, value));
      case "latency-duration" -> b.latencyDuration(duration(name, value));
      case "poll-interval" -> b.pollInterval(duration(name, value));
      case "in-flight" -> b.batchesInFlight(integer(name, value));
      case "history-rows" -> b.historyRows(integer(name, value));
      case "growth-claims" -> b.growthClaims(integer(name, value));
      case "amqp-url" -> b.amqpUrl(value);
      case "kafka-bootstrap" -> b.kafkaBootstrap(value);
      case "soak-duration" -> b.soakDuration(duration(name, value));
      case "soak-rate" -> b.soakRate(integer(name, value));
      case "long-transaction" -> b.longTransaction(duration(name, value));
      case "out" -> b.out(Path.of(value));
      default -> throw new IllegalArgumentException("unknown flag --" + name + "; see --help");
    }
  }

  /** {@code bench-results/bench-<local time>.json}. */
  static Path defaultOut() {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return Path.of("bench-results", "bench-" + stamp + ".json");
  }

  private static Database database(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "postgresql", "postgres", "pg" -> Database.POSTGRESQL;
      case "mysql", "mariadb" -> Database.MYSQL;
      default ->
          throw new IllegalArgumentException(
              "--database must be postgresql or mysql, was '" + value + "'");
    };
  }

  private static Set<Scenario> scenarios(String value) {
    Set<Scenario> result = EnumSet.noneOf(Scenario.class);
    for (String s : value.split(",")) {
      try {
        result.add(Scenario.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--scenarios takes produce, e2e, drain, latency, growth, backlog, minimal, slow-sender,"
                + " failing-sender, rabbitmq, kafka, soak and unanalysed; '"
                + s
                + "' is none of them");
      }
    }
    return result;
  }

  private static List<Ordering> orderings(String value) {
    List<Ordering> result = new ArrayList<>();
    for (String s : value.split(",")) {
      String name = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      try {
        result.add(Ordering.valueOf(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--orderings takes none and per_key; '" + s + "' is neither");
      }
    }
    return result;
  }

  private static int integer(String name, String value) {
    try {
      return Integer.parseInt(value.replace("_", "").trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--" + name + " needs a whole number, was '" + value + "'");
    }
  }

  private static List<Integer> integers(String name, String value) {
    List<Integer> result = new ArrayList<>();
    for (String part : value.split(",")) {
      result.add(integer(name, part));
    }
    return result;
  }

  /** {@code 250ms}, {@code 20s}, {@code 2m}, or ISO-8601 such as {@code PT20S}. */
  static Duration duration(String name, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.parse(value.trim());
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--" + name + " needs a duration such as 500ms, 20s or 2m, was '" + value + "'");
    }
  }
}
