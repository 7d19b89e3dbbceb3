package dev.outbox.examples.bench;

import dev.outbox.Ordering;
import dev.outbox.examples.bench.BenchOptions.Database;
import dev.outbox.examples.bench.BenchOptions.Scenario;
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

/**
 * Parses the command line ({@code --flag value} or {@code --flag=value}) into {@link BenchOptions}.
 * Unknown flags and malformed values are refused with a message naming them.
 */
final class BenchFlags {
  private BenchFlags() {}

  /** What {@code --help} prints. */
  static final String USAGE =
      """
      Runs the JDBC Outbox benchmark: every scenario interleaved with its raw-SQL baseline.

        --database postgresql|mysql   database to run against (default postgresql; mysql also
                                      means MariaDB)
        --url JDBC_URL                server, user and password in the URL
                                      (default jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres,
                                      with mysql jdbc:mysql://127.0.0.1:3306/?user=root)
        --schema NAME                 dedicated schema (MySQL: database), created and dropped
                                      (default outbox_bench)
        --scenarios LIST              produce,e2e,drain,latency,growth,backlog,slow-sender,
                                      rabbitmq,kafka,soak (default the first five: backlog is
                                      the longest, the others need brokers; soak runs alone)
        --rounds N                    interleaved baseline/outbox rounds, >= 3 (default 3)
        --messages N                  messages per produce run and per drained backlog (default 50000)
        --payload-bytes N             payload size (default 200)
        --producer-threads N          producing threads (default 4)
        --relays LIST                 relay counts for drain (default 1,2,4)
        --batch-sizes LIST            batch sizes for drain (default 100,1000)
        --keys LIST                   distinct keys of the PER_KEY drain and backlog backlogs,
                                      spread round-robin over the backlog (default 100,10000)
        --orderings LIST              none,per_key: orderings drain runs (default both)
        --backlog-sizes LIST          backlog scenario: PER_KEY drains, 1 relay, batch 100, of
                                      each size; per-message cost at the largest against the
                                      smallest (default 20000,200000)
        --latency-rates LIST          fixed producer rates, messages/s (default 500,5000)
        --latency-duration DURATION   per latency run, e.g. 20s or 500ms (default 20s)
        --poll-interval DURATION      relay and raw poller poll interval in latency (default 1s)
        --in-flight N                 every relay's maxBatchesInFlight (default the relay's, 8)
        --history-rows N              sent rows for the backlog-growth scenario (default 1000000)
        --growth-claims N             claims timed per growth round (default 50)
        --amqp-url URI                RabbitMQ of the rabbitmq scenario
                                      (default amqp://guest:guest@127.0.0.1:5672)
        --kafka-bootstrap HOST:PORT   Kafka of the kafka scenario (default a broker started
                                      in-process)
        --soak-duration DURATION      soak: how long the producers run (default 15m)
        --soak-rate N                 soak: messages/s, steady (default 200)
        --long-transaction DURATION   soak: an unrelated transaction open this long, starting
                                      a third of the way into the rest (default 5m)
        --no-warmup                   skip the unreported warm-up
        --out FILE                    JSON results (default bench-results/bench-<time>.json)
        --help                        this text

      The per-key claim's matrix and backlog pair, without the NONE drains:
        --scenarios drain,backlog --keys 1,10,100,10000 --relays 1,2,4 --batch-sizes 100
        --orderings per_key
      """;

  /** The flags that take a value. */
  private static final Set<String> VALUE_FLAGS =
      Set.of(
          "database",
          "url",
          "schema",
          "scenarios",
          "rounds",
          "messages",
          "payload-bytes",
          "producer-threads",
          "relays",
          "batch-sizes",
          "keys",
          "orderings",
          "backlog-sizes",
          "latency-rates",
          "latency-duration",
          "poll-interval",
          "in-flight",
          "history-rows",
          "growth-claims",
          "amqp-url",
          "kafka-bootstrap",
          "soak-duration",
          "soak-rate",
          "long-transaction",
          "out");

  /** Thrown for {@code --help}: the caller prints {@link #USAGE} and exits normally. */
  static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HelpRequested() {
      super("help requested", null, false, false);
    }
  }

  /**
   * The options given by {@code args}.
   *
   * @throws IllegalArgumentException naming an unknown flag, a missing or malformed value, or a
   *     setting out of range
   * @throws HelpRequested for {@code --help}
   */
  static BenchOptions parse(String... args) {
    BenchOptions.Builder b = BenchOptions.builder();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException(
            "unexpected argument '" + arg + "'; flags start with --");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (name.equals("help")) {
        throw new HelpRequested();
      }
      if (name.equals("no-warmup")) {
        b.warmup(false);
        continue;
      }
      if (!VALUE_FLAGS.contains(name)) {
        throw new IllegalArgumentException("unknown flag --" + name + "; see --help");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      apply(b, name, value);
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
            "--scenarios takes produce, e2e, drain, latency, growth, backlog, slow-sender,"
                + " rabbitmq, kafka and soak; '"
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
