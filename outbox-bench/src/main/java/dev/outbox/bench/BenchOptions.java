package dev.outbox.bench;

import dev.outbox.Ordering;
import dev.outbox.OutboxRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The benchmark's settings, each the value of the command-line flag of the same name ({@code
 * --help} and {@link Flags} describe them, with their defaults and ranges), read and checked by
 * {@link #parse(String...)}. Immutable.
 */
record BenchOptions(
    Database database,
    String jdbcUrl,
    String schema,
    Set<Scenario> scenarios,
    int rounds,
    int messages,
    int payloadBytes,
    int producerThreads,
    List<Integer> relayCounts,
    List<Integer> batchSizes,
    List<Integer> keyCounts,
    List<Ordering> orderings,
    List<Integer> backlogSizes,
    int scheduled,
    List<Integer> latencyRates,
    Duration latencyDuration,
    Duration pollInterval,
    int batchesInFlight,
    Duration linger,
    int historyRows,
    int growthClaims,
    String amqpUrl,
    String kafkaBootstrap,
    Duration soakDuration,
    int soakRate,
    Duration longTransaction,
    boolean warmup,
    Path out) {

  /** The databases the harness knows. */
  enum Database {
    /** PostgreSQL 12+. */
    POSTGRESQL,
    /** MySQL 8.0+ and MariaDB 10.6+. */
    MYSQL
  }

  /** The scenarios of the benchmark; on the command line in lower case, {@code -} for {@code _}. */
  enum Scenario {
    /** One-message transactions from several threads, NOTIFY on and off. */
    PRODUCE,
    /** A committed backlog drained by 1..n relays. */
    DRAIN,
    /** Producers at a fixed rate; commit-to-send latency. */
    LATENCY,
    /** The claim's cost with and without a large history of sent rows. */
    GROWTH,
    /** Producers at full speed and one relay, until every message is delivered. */
    E2E,
    /** The per-message drain cost of a large backlog against a small one; the longest. */
    BACKLOG,
    /** One relay's drain with a sender that answers after 10 ms, against the no-op sender. */
    SLOW_SENDER,
    /**
     * One relay's drain with a sender that fails 10% of the records independently, against the
     * no-op sender; prints copies per message.
     */
    FAILING_SENDER,
    /**
     * Produce, drain and end to end beside the minimal hand-rolled outbox (a plain table, SKIP
     * LOCKED, one update), the baseline that does not share the outbox's table shape.
     */
    MINIMAL,
    /** One relay's drain through the RabbitMQ sender, against a raw confirming publisher. */
    RABBITMQ,
    /** One relay's drain through the Kafka sender, against a raw producer. */
    KAFKA,
    /**
     * Producers at a steady rate for a long time with one relay and hourly partitions, while an
     * unrelated transaction stays open in the middle; runs alone, on PostgreSQL, and reports per
     * minute instead of against a baseline.
     */
    SOAK,
    /**
     * One relay's {@code PER_KEY} drain of a freshly created, never analysed backlog, against the
     * same after ANALYZE and the raw consumer; see {@link UnanalysedScenario}.
     */
    UNANALYSED,
    /**
     * Produce with a unique idempotency key per message against the same produce without keys, and
     * against the minimal hand-rolled outbox's produce; see {@link IdempotentProduceScenario}.
     */
    PRODUCE_IDEMPOTENT,
    /**
     * One relay's drain of N due messages after {@code --scheduled} messages scheduled a day ahead,
     * against the same drain without them; see {@link ScheduledBacklogScenario}.
     */
    SCHEDULED_BACKLOG
  }

  /** The local PostgreSQL, the default {@code --url}. */
  static final String DEFAULT_POSTGRES_URL =
      "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

  /** The local MySQL or MariaDB, the default {@code --url} with {@code --database mysql}. */
  static final String DEFAULT_MYSQL_URL = "jdbc:mysql://127.0.0.1:3306/?user=root";

  /** The local RabbitMQ, the default {@code --amqp-url}. */
  static final String DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";

  /** Time the soak needs after its long transaction ends, to see the lag come back. */
  static final Duration SOAK_RECOVERY = Duration.ofSeconds(70);

  /**
   * The options given by {@code args}, checked. A flag given twice takes its last value; a list
   * flag given twice, both lists.
   *
   * @return the options, or null after {@code --help}
   * @throws ParameterException naming an unknown flag, a missing or malformed value, or a setting
   *     out of range
   */
  static BenchOptions parse(String... args) {
    Flags flags = new Flags();
    return Flags.commandLine(flags).parseArgs(args).isUsageHelpRequested() ? null : flags.checked();
  }

  /** What {@code --help} prints: every flag with its description and default. */
  static String usage() {
    return Flags.commandLine(new Flags()).getUsageMessage(Help.Ansi.OFF);
  }

  /** The flags as picocli reads them; {@link #checked()} makes them {@link BenchOptions}. */
  @Command(
      name = "bench",
      sortOptions = false,
      abbreviateSynopsis = true,
      showDefaultValues = true,
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
  private static final class Flags {
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    @Spec CommandSpec spec;

    @Option(
        names = "--database",
        paramLabel = "postgresql|mysql",
        defaultValue = "postgresql",
        description = "database to run against; mysql also means MariaDB")
    Database database;

    @Option(
        names = "--url",
        paramLabel = "JDBC_URL",
        description = {
          "server, user and password in the URL",
          "  Default: " + DEFAULT_POSTGRES_URL + ",",
          "  with mysql " + DEFAULT_MYSQL_URL
        })
    String url;

    @Option(
        names = "--schema",
        paramLabel = "NAME",
        defaultValue = "outbox_bench",
        description = "dedicated schema (MySQL: database), created and dropped")
    String schema;

    @Option(
        names = "--scenarios",
        paramLabel = "SCENARIO",
        split = ",",
        defaultValue = "produce,e2e,drain,latency,growth,minimal",
        description =
            "produce, e2e, drain, latency, growth, backlog, minimal, slow-sender, failing-sender,"
                + " rabbitmq, kafka, soak, unanalysed, produce-idempotent, scheduled-backlog;"
                + " backlog and unanalysed are the longest, the sender ones need brokers, soak"
                + " runs alone")
    Set<Scenario> scenarios;

    @Option(
        names = "--rounds",
        paramLabel = "N",
        defaultValue = "3",
        description = "interleaved baseline/outbox rounds, 3-100")
    int rounds;

    @Option(
        names = "--messages",
        paramLabel = "N",
        defaultValue = "50000",
        description = "messages per produce run and per drained backlog")
    int messages;

    @Option(
        names = "--payload-bytes",
        paramLabel = "N",
        defaultValue = "200",
        description = "payload size")
    int payloadBytes;

    @Option(
        names = "--producer-threads",
        paramLabel = "N",
        defaultValue = "4",
        description = "producing threads")
    int producerThreads;

    @Option(
        names = "--relays",
        paramLabel = "N",
        split = ",",
        defaultValue = "1,2,4",
        description = "relay counts for drain")
    List<Integer> relays;

    @Option(
        names = "--batch-sizes",
        paramLabel = "N",
        split = ",",
        defaultValue = "100,1000",
        description = "batch sizes for drain")
    List<Integer> batchSizes;

    @Option(
        names = "--keys",
        paramLabel = "N",
        split = ",",
        defaultValue = "100,10000",
        description = "distinct keys of the PER_KEY drain and backlog backlogs, round-robin")
    List<Integer> keys;

    @Option(
        names = "--orderings",
        paramLabel = "ORDERING",
        split = ",",
        defaultValue = "none,per_key",
        description = "none,per_key: orderings drain runs")
    List<Ordering> orderings;

    @Option(
        names = "--backlog-sizes",
        paramLabel = "N",
        split = ",",
        defaultValue = "20000,200000",
        description =
            "backlog scenario: PER_KEY drains, 1 relay, batch 100, of each size; per-message cost"
                + " at the largest against the smallest")
    List<Integer> backlogSizes;

    @Option(
        names = "--scheduled",
        paramLabel = "N",
        defaultValue = "100000",
        description =
            "scheduled-backlog scenario: messages scheduled a day ahead, enlisted before the N"
                + " drained ones")
    int scheduled;

    @Option(
        names = "--latency-rates",
        paramLabel = "N",
        split = ",",
        defaultValue = "500,5000",
        description = "fixed producer rates, messages/s")
    List<Integer> latencyRates;

    @Option(
        names = "--latency-duration",
        paramLabel = "DURATION",
        defaultValue = "20s",
        description = "per latency run, e.g. 20s or 500ms")
    Duration latencyDuration;

    @Option(
        names = "--poll-interval",
        paramLabel = "DURATION",
        defaultValue = "1s",
        description = "relay and raw poller poll interval in latency (the relay's default)")
    Duration pollInterval;

    @Option(
        names = "--in-flight",
        paramLabel = "N",
        defaultValue = "" + OutboxRelay.Builder.DEFAULT_MAX_BATCHES_IN_FLIGHT,
        description = "every relay's maxBatchesInFlight (the relay's default)")
    int inFlight;

    @Option(
        names = "--linger",
        paramLabel = "DURATION",
        defaultValue = "5ms",
        description = "every relay's linger, 0ms for none (the relay's default)")
    Duration linger;

    @Option(
        names = "--history-rows",
        paramLabel = "N",
        defaultValue = "1000000",
        description = "sent rows for the backlog-growth scenario")
    int historyRows;

    @Option(
        names = "--growth-claims",
        paramLabel = "N",
        defaultValue = "50",
        description = "claims timed per growth round")
    int growthClaims;

    @Option(
        names = "--amqp-url",
        paramLabel = "URI",
        defaultValue = DEFAULT_AMQP_URL,
        description = "RabbitMQ of the rabbitmq scenario")
    String amqpUrl;

    @Option(
        names = "--kafka-bootstrap",
        paramLabel = "HOST:PORT",
        description = {"Kafka of the kafka scenario", "  Default: a broker started in-process"})
    String kafkaBootstrap;

    @Option(
        names = "--soak-duration",
        paramLabel = "DURATION",
        defaultValue = "15m",
        description = "soak: how long the producers run")
    Duration soakDuration;

    @Option(
        names = "--soak-rate",
        paramLabel = "N",
        defaultValue = "200",
        description = "soak: messages/s, steady")
    int soakRate;

    @Option(
        names = "--long-transaction",
        paramLabel = "DURATION",
        defaultValue = "5m",
        description = "soak: an unrelated transaction open this long, a third of the way in")
    Duration longTransaction;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = {"JSON results", "  Default: bench-results/bench-<time>.json"})
    Path out;

    @Option(names = "--no-warmup", description = "skip the unreported warm-up")
    boolean noWarmup;

    @Option(names = "--help", usageHelp = true, description = "this text")
    boolean help;

    static CommandLine commandLine(Flags flags) {
      return new CommandLine(flags)
          .setOverwrittenOptionsAllowed(true)
          .registerConverter(Database.class, Flags::database)
          .registerConverter(Scenario.class, s -> named(Scenario.class, s))
          .registerConverter(Ordering.class, s -> named(Ordering.class, s))
          .registerConverter(Duration.class, Flags::duration);
    }

    /** Ranges, lists with something in them, the URLs' shapes and the soak's limits. */
    BenchOptions checked() {
      range("--rounds", rounds, 3, 100);
      range("--messages", messages, 1, 10_000_000);
      range("--payload-bytes", payloadBytes, 1, 1 << 20);
      range("--producer-threads", producerThreads, 1, 64);
      eachInRange("--relays", relays, 1, 32);
      eachInRange("--batch-sizes", batchSizes, 1, 10_000);
      eachInRange("--keys", keys, 1, 10_000_000);
      eachInRange("--backlog-sizes", backlogSizes, 1, 10_000_000);
      List<Integer> backlogs = backlogSizes.stream().distinct().sorted().toList();
      require(backlogs.size() > 1, "--backlog-sizes must list two different sizes or more");
      range("--scheduled", scheduled, 1, 10_000_000);
      eachInRange("--latency-rates", latencyRates, 1, 100_000);
      range("--latency-duration", latencyDuration, Duration.ofMillis(100), Duration.ofHours(1));
      range("--poll-interval", pollInterval, Duration.ofMillis(10), Duration.ofMinutes(1));
      range("--in-flight", inFlight, 1, OutboxRelay.Builder.MAX_BATCHES_IN_FLIGHT);
      range("--linger", linger, Duration.ZERO, OutboxRelay.Builder.MAX_LINGER);
      range("--history-rows", historyRows, 0, 100_000_000);
      range("--growth-claims", growthClaims, 1, 10_000);
      require(amqpUrl.matches("amqps?://.*"), "--amqp-url must be an amqp:// or amqps:// URI");
      require(
          kafkaBootstrap == null || kafkaBootstrap.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*"),
          "--kafka-bootstrap must be host:port[,host:port...]");
      checkSoak();
      return new BenchOptions(
          database,
          url != null ? url : database == Database.MYSQL ? DEFAULT_MYSQL_URL : DEFAULT_POSTGRES_URL,
          schema,
          Set.copyOf(scenarios),
          rounds,
          messages,
          payloadBytes,
          producerThreads,
          List.copyOf(relays),
          List.copyOf(batchSizes),
          List.copyOf(keys),
          List.copyOf(new LinkedHashSet<>(orderings)),
          backlogs,
          scheduled,
          List.copyOf(latencyRates),
          latencyDuration,
          pollInterval,
          inFlight,
          linger,
          historyRows,
          growthClaims,
          amqpUrl,
          kafkaBootstrap,
          soakDuration,
          soakRate,
          longTransaction,
          !noWarmup,
          out != null ? out : defaultOut());
    }

    private void checkSoak() {
      range("--soak-duration", soakDuration, Duration.ofMinutes(1), Duration.ofHours(24));
      range("--soak-rate", soakRate, 1, 10_000);
      Duration longest = soakDuration.minus(SOAK_RECOVERY.multipliedBy(3).dividedBy(2));
      range("--long-transaction", longTransaction, Duration.ofSeconds(1), longest);
      boolean soak = scenarios.contains(Scenario.SOAK);
      require(!soak || scenarios.size() == 1, "the soak scenario runs alone, was " + scenarios);
      require(
          !soak || database == Database.POSTGRESQL, "the soak scenario runs on PostgreSQL only");
    }

    private <T extends Comparable<T>> void range(String flag, T value, T min, T max) {
      require(
          value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
          flag + " must be between " + min + " and " + max + ", was " + value);
    }

    private void eachInRange(String flag, List<Integer> values, int min, int max) {
      values.forEach(v -> range(flag, v, min, max));
    }

    private void require(boolean valid, String message) {
      if (!valid) {
        throw new ParameterException(spec.commandLine(), message);
      }
    }

    /** {@code bench-results/bench-<local time>.json}. */
    private static Path defaultOut() {
      String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      return Path.of("bench-results", "bench-" + stamp + ".json");
    }

    /** {@code postgresql} (or {@code postgres}, {@code pg}), {@code mysql} (or {@code mariadb}). */
    private static Database database(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "postgres", "pg" -> Database.POSTGRESQL;
        case "mariadb" -> Database.MYSQL;
        default -> named(Database.class, name);
      };
    }

    /** The constant of {@code type} named {@code name} in any case, {@code -} for {@code _}. */
    private static <E extends Enum<E>> E named(Class<E> type, String name) {
      String constant = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (E e : type.getEnumConstants()) {
        if (e.name().equals(constant)) {
          return e;
        }
      }
      String all = Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT);
      throw new TypeConversionException("'" + name + "' is none of " + all);
    }

    /** {@code 250ms}, {@code 20s}, {@code 2m}, or ISO-8601 such as {@code PT20S}. */
    private static Duration duration(String value) {
      Matcher m = SHORT_DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          default -> Duration.ofMinutes(n);
        };
      }
      try {
        return Duration.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("'" + value + "' is not a duration such as 500ms or 20s");
      }
    }
  }
}
