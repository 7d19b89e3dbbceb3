package dev.outbox.bench;

import dev.outbox.Ordering;
import dev.outbox.OutboxRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The benchmark's settings: which database, which scenarios, how many messages, rounds and seconds.
 * Immutable; made by {@link Builder#build()} (which validates every setting and names the one that
 * is out of range) or parsed from command-line flags by {@link BenchFlags}. (Longer than most
 * classes because every setting has a documented builder setter and a named default.)
 *
 * @param database the database to run against
 * @param jdbcUrl the JDBC URL of the server (user and password included)
 * @param schema the dedicated schema the benchmark creates and drops
 * @param scenarios the scenarios to run
 * @param rounds how many times each baseline/outbox pair runs, interleaved
 * @param messages N: the messages produced, and the backlog drained, in one run
 * @param payloadBytes the payload size of every message
 * @param producerThreads the producing threads (produce and latency)
 * @param relayCounts the relay counts the drain scenario runs
 * @param batchSizes the batch sizes the drain scenario runs
 * @param keyCounts the distinct keys of the drain and backlog scenarios' {@code PER_KEY} backlogs
 * @param orderings the orderings the drain scenario runs
 * @param backlogSizes the backlog sizes the backlog scenario compares, smallest against largest
 * @param latencyRates the fixed producer rates of the latency scenario, messages per second
 * @param latencyDuration how long the latency scenario produces at each rate
 * @param pollInterval the relay's (and the raw poller's) poll interval in the latency scenario
 * @param batchesInFlight every relay's {@code maxBatchesInFlight}
 * @param historyRows the already-sent rows of the backlog-growth scenario
 * @param growthClaims the claims timed per round in the backlog-growth scenario
 * @param amqpUrl the RabbitMQ of the rabbitmq scenario, as an AMQP URI
 * @param kafkaBootstrap the Kafka of the kafka scenario ({@code host:port[,host:port…]}), or null
 *     for a broker started in-process
 * @param soakDuration how long the soak scenario produces
 * @param soakRate the soak scenario's steady producer rate, messages per second
 * @param longTransaction how long the soak scenario's unrelated transaction stays open
 * @param warmup whether an unreported warm-up runs before the measurements
 * @param out where the JSON results are written
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
    List<Integer> latencyRates,
    Duration latencyDuration,
    Duration pollInterval,
    int batchesInFlight,
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

  /** The scenarios of the benchmark. */
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
    /**
     * The per-message drain cost of a large backlog against a small one; not in the default set, as
     * its large backlogs make it the longest scenario.
     */
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
    UNANALYSED
  }

  /**
   * The scenarios run when none are named: all but {@link Scenario#BACKLOG} and the sender
   * scenarios, which need brokers or take long.
   */
  static final Set<Scenario> DEFAULT_SCENARIOS =
      Set.copyOf(
          EnumSet.complementOf(
              EnumSet.of(
                  Scenario.BACKLOG,
                  Scenario.SLOW_SENDER,
                  Scenario.FAILING_SENDER,
                  Scenario.RABBITMQ,
                  Scenario.KAFKA,
                  Scenario.SOAK,
                  Scenario.UNANALYSED)));

  /** Default {@link Builder#rounds(int)}. */
  static final int DEFAULT_ROUNDS = 3;

  /** Fewest rounds: a median and a spread need at least three. */
  static final int MIN_ROUNDS = 3;

  /** Default {@link Builder#messages(int)}. */
  static final int DEFAULT_MESSAGES = 50_000;

  /** Default {@link Builder#payloadBytes(int)}. */
  static final int DEFAULT_PAYLOAD_BYTES = 200;

  /** Default {@link Builder#producerThreads(int)}. */
  static final int DEFAULT_PRODUCER_THREADS = 4;

  /** Default {@link Builder#relayCounts(List)}. */
  static final List<Integer> DEFAULT_RELAY_COUNTS = List.of(1, 2, 4);

  /** Default {@link Builder#batchSizes(List)}. */
  static final List<Integer> DEFAULT_BATCH_SIZES = List.of(100, 1000);

  /** Default {@link Builder#keyCounts(List)}. */
  static final List<Integer> DEFAULT_KEY_COUNTS = List.of(100, 10_000);

  /** Default {@link Builder#orderings(List)}. */
  static final List<Ordering> DEFAULT_ORDERINGS = List.of(Ordering.NONE, Ordering.PER_KEY);

  /** Default {@link Builder#backlogSizes(List)}: the 20,000 against 200,000. */
  static final List<Integer> DEFAULT_BACKLOG_SIZES = List.of(20_000, 200_000);

  /** Default {@link Builder#latencyRates(List)}. */
  static final List<Integer> DEFAULT_LATENCY_RATES = List.of(500, 5000);

  /** Default {@link Builder#latencyDuration(Duration)}. */
  static final Duration DEFAULT_LATENCY_DURATION = Duration.ofSeconds(20);

  /** Default {@link Builder#pollInterval(Duration)}: the relay's own default. */
  static final Duration DEFAULT_POLL_INTERVAL = OutboxRelay.Builder.DEFAULT_POLL_INTERVAL;

  /** Default {@link Builder#historyRows(int)}. */
  static final int DEFAULT_HISTORY_ROWS = 1_000_000;

  /** Default {@link Builder#growthClaims(int)}. */
  static final int DEFAULT_GROWTH_CLAIMS = 50;

  /** Default {@link Builder#amqpUrl(String)}: the local RabbitMQ. */
  static final String DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";

  /** Default {@link Builder#soakDuration(Duration)}. */
  static final Duration DEFAULT_SOAK_DURATION = Duration.ofMinutes(15);

  /** Default {@link Builder#soakRate(int)}. */
  static final int DEFAULT_SOAK_RATE = 200;

  /** Default {@link Builder#longTransaction(Duration)}. */
  static final Duration DEFAULT_LONG_TRANSACTION = Duration.ofMinutes(5);

  /** Time the soak needs after its long transaction ends, to see the lag come back. */
  static final Duration SOAK_RECOVERY = Duration.ofSeconds(70);

  /** Default {@link Builder#schema(String)}. */
  static final String DEFAULT_SCHEMA = "outbox_bench";

  /** Default {@link Builder#jdbcUrl(String)} for PostgreSQL: the local server. */
  static final String DEFAULT_POSTGRES_URL =
      "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

  /** Default {@link Builder#jdbcUrl(String)} for MySQL and MariaDB: the local server. */
  static final String DEFAULT_MYSQL_URL = "jdbc:mysql://127.0.0.1:3306/?user=root";

  /** A builder with every default. */
  static Builder builder() {
    return new Builder();
  }

  /** Collects settings; not thread-safe. */
  static final class Builder {
    private Database database = Database.POSTGRESQL;
    private String jdbcUrl;
    private String schema = DEFAULT_SCHEMA;
    private Set<Scenario> scenarios = DEFAULT_SCENARIOS;
    private int rounds = DEFAULT_ROUNDS;
    private int messages = DEFAULT_MESSAGES;
    private int payloadBytes = DEFAULT_PAYLOAD_BYTES;
    private int producerThreads = DEFAULT_PRODUCER_THREADS;
    private List<Integer> relayCounts = DEFAULT_RELAY_COUNTS;
    private List<Integer> batchSizes = DEFAULT_BATCH_SIZES;
    private List<Integer> keyCounts = DEFAULT_KEY_COUNTS;
    private List<Ordering> orderings = DEFAULT_ORDERINGS;
    private List<Integer> backlogSizes = DEFAULT_BACKLOG_SIZES;
    private List<Integer> latencyRates = DEFAULT_LATENCY_RATES;
    private Duration latencyDuration = DEFAULT_LATENCY_DURATION;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private int batchesInFlight = OutboxRelay.Builder.DEFAULT_MAX_BATCHES_IN_FLIGHT;
    private int historyRows = DEFAULT_HISTORY_ROWS;
    private int growthClaims = DEFAULT_GROWTH_CLAIMS;
    private String amqpUrl = DEFAULT_AMQP_URL;
    private String kafkaBootstrap;
    private Duration soakDuration = DEFAULT_SOAK_DURATION;
    private int soakRate = DEFAULT_SOAK_RATE;
    private Duration longTransaction = DEFAULT_LONG_TRANSACTION;
    private boolean warmup = true;
    private Path out;

    private Builder() {}

    /** The database to run against. Default: {@code POSTGRESQL}. */
    Builder database(Database database) {
      this.database = database;
      return this;
    }

    /**
     * The server's JDBC URL, user and password included. Default: the local server, {@value
     * #DEFAULT_POSTGRES_URL} or, for MySQL, {@value #DEFAULT_MYSQL_URL}.
     */
    Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /**
     * The schema (on MySQL: the database) the benchmark creates, marks as its own and drops
     * afterwards; a plain identifier. Default: {@value #DEFAULT_SCHEMA}.
     */
    Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /** The scenarios to run, at least one. Default: all but backlog. */
    Builder scenarios(Set<Scenario> scenarios) {
      this.scenarios = scenarios;
      return this;
    }

    /** Interleaved baseline/outbox rounds, from 3 to 100. Default: {@value #DEFAULT_ROUNDS}. */
    Builder rounds(int rounds) {
      this.rounds = rounds;
      return this;
    }

    /**
     * N, the messages produced and drained per run, from 1 to 10,000,000. Default: {@value
     * #DEFAULT_MESSAGES}.
     */
    Builder messages(int messages) {
      this.messages = messages;
      return this;
    }

    /** Payload bytes per message, from 1 to 1,048,576. Default: {@value #DEFAULT_PAYLOAD_BYTES}. */
    Builder payloadBytes(int payloadBytes) {
      this.payloadBytes = payloadBytes;
      return this;
    }

    /** Producing threads, from 1 to 64. Default: {@value #DEFAULT_PRODUCER_THREADS}. */
    Builder producerThreads(int producerThreads) {
      this.producerThreads = producerThreads;
      return this;
    }

    /** Relay counts for the drain scenario, each from 1 to 32. Default: 1, 2 and 4. */
    Builder relayCounts(List<Integer> relayCounts) {
      this.relayCounts = relayCounts;
      return this;
    }

    /** Batch sizes for the drain scenario, each from 1 to 10,000. Default: 100 and 1,000. */
    Builder batchSizes(List<Integer> batchSizes) {
      this.batchSizes = batchSizes;
      return this;
    }

    /**
     * Distinct keys of the drain and backlog scenarios' {@code PER_KEY} backlogs, each from 1 to
     * 10,000,000. Default: 100 and 10,000.
     */
    Builder keyCounts(List<Integer> keyCounts) {
      this.keyCounts = keyCounts;
      return this;
    }

    /**
     * Orderings the drain scenario runs, at least one; {@code PER_KEY} runs once per key count.
     * Default: {@code NONE} and {@code PER_KEY}.
     */
    Builder orderings(List<Ordering> orderings) {
      this.orderings = orderings;
      return this;
    }

    /**
     * Backlog sizes of the backlog scenario, at least two, each from 1 to 10,000,000; the
     * per-message cost at the largest is compared with that at the smallest. Default: 20,000 and
     * 200,000.
     */
    Builder backlogSizes(List<Integer> backlogSizes) {
      this.backlogSizes = backlogSizes;
      return this;
    }

    /**
     * Fixed producer rates of the latency scenario in messages per second, each from 1 to 100,000.
     * Default: 500 and 5,000.
     */
    Builder latencyRates(List<Integer> latencyRates) {
      this.latencyRates = latencyRates;
      return this;
    }

    /** How long each latency run produces, from 100 ms to 1 hour. Default: 20 seconds. */
    Builder latencyDuration(Duration latencyDuration) {
      this.latencyDuration = latencyDuration;
      return this;
    }

    /**
     * The relay's and the raw poller's poll interval in the latency scenario, from 10 ms to 1
     * minute. Default: 1 second (the relay's default).
     */
    Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * Every relay's {@code maxBatchesInFlight}, from 1 to the relay's maximum. Default: the relay's
     * default.
     */
    Builder batchesInFlight(int batchesInFlight) {
      this.batchesInFlight = batchesInFlight;
      return this;
    }

    /**
     * Already-sent rows in the backlog-growth scenario's large table, from 0 to 100,000,000.
     * Default: {@value #DEFAULT_HISTORY_ROWS}.
     */
    Builder historyRows(int historyRows) {
      this.historyRows = historyRows;
      return this;
    }

    /**
     * Claims timed per round in the backlog-growth scenario, from 1 to 10,000. Default: {@value
     * #DEFAULT_GROWTH_CLAIMS}.
     */
    Builder growthClaims(int growthClaims) {
      this.growthClaims = growthClaims;
      return this;
    }

    /**
     * The RabbitMQ of the rabbitmq scenario: an {@code amqp://} or {@code amqps://} URI with user
     * and password; the virtual host is the path ({@code /%2F}, or no path, for the default virtual
     * host {@code /}). Default: {@value #DEFAULT_AMQP_URL}.
     */
    Builder amqpUrl(String amqpUrl) {
      this.amqpUrl = amqpUrl;
      return this;
    }

    /**
     * The Kafka of the kafka scenario, {@code host:port[,host:port…]}; null starts a single-node
     * broker in the benchmark's JVM. Default: null.
     */
    Builder kafkaBootstrap(String kafkaBootstrap) {
      this.kafkaBootstrap = kafkaBootstrap;
      return this;
    }

    /**
     * Whether an unreported warm-up runs first, so JIT compilation is not measured. Default: on.
     */
    Builder warmup(boolean warmup) {
      this.warmup = warmup;
      return this;
    }

    /**
     * Where the JSON results go; parent directories are created. Default: {@code
     * bench-results/bench-<timestamp>.json} in the working directory.
     */
    Builder out(Path out) {
      this.out = out;
      return this;
    }

    /** How long the soak produces, from 1 minute to 24 hours. Default: 15 minutes. */
    Builder soakDuration(Duration soakDuration) {
      this.soakDuration = soakDuration;
      return this;
    }

    /**
     * The soak's producer rate, messages/s, from 1 to 10,000. Default: {@value #DEFAULT_SOAK_RATE}.
     */
    Builder soakRate(int soakRate) {
      this.soakRate = soakRate;
      return this;
    }

    /**
     * How long the soak's unrelated transaction stays open, from 1 second up to what leaves the
     * soak {@link #SOAK_RECOVERY} after it (it starts a third of the way into the time around it).
     * Default: 5 minutes.
     */
    Builder longTransaction(Duration longTransaction) {
      this.longTransaction = longTransaction;
      return this;
    }

    /**
     * The validated options.
     *
     * @throws IllegalArgumentException naming the first setting out of range, and the range
     */
    BenchOptions build() {
      Objects.requireNonNull(database, "database must not be null");
      if (scenarios == null || scenarios.isEmpty()) {
        throw new IllegalArgumentException("scenarios must name at least one scenario");
      }
      range("rounds", rounds, MIN_ROUNDS, 100);
      range("messages", messages, 1, 10_000_000);
      range("payload-bytes", payloadBytes, 1, 1 << 20);
      range("producer-threads", producerThreads, 1, 64);
      eachInRange("relays", relayCounts, 1, 32);
      eachInRange("batch-sizes", batchSizes, 1, 10_000);
      eachInRange("keys", keyCounts, 1, 10_000_000);
      if (orderings == null || orderings.isEmpty()) {
        throw new IllegalArgumentException("orderings must list at least one ordering");
      }
      eachInRange("backlog-sizes", backlogSizes, 1, 10_000_000);
      if (backlogSizes.stream().distinct().count() < 2) {
        throw new IllegalArgumentException(
            "backlog-sizes must list at least two different sizes, was " + backlogSizes);
      }
      eachInRange("latency-rates", latencyRates, 1, 100_000);
      durationRange(
          "latency-duration", latencyDuration, Duration.ofMillis(100), Duration.ofHours(1));
      durationRange("poll-interval", pollInterval, Duration.ofMillis(10), Duration.ofMinutes(1));
      range("in-flight", batchesInFlight, 1, OutboxRelay.Builder.MAX_BATCHES_IN_FLIGHT);
      range("history-rows", historyRows, 0, 100_000_000);
      range("growth-claims", growthClaims, 1, 10_000);
      if (amqpUrl == null || !amqpUrl.matches("amqps?://.*")) {
        throw new IllegalArgumentException(
            "amqp-url must be an amqp:// or amqps:// URI, was '" + amqpUrl + "'");
      }
      if (kafkaBootstrap != null && !kafkaBootstrap.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
        throw new IllegalArgumentException(
            "kafka-bootstrap must be host:port[,host:port...], was '" + kafkaBootstrap + "'");
      }
      checkSoak();
      String url =
          jdbcUrl != null
              ? jdbcUrl
              : database == Database.MYSQL ? DEFAULT_MYSQL_URL : DEFAULT_POSTGRES_URL;
      Path target = out != null ? out : BenchFlags.defaultOut();
      return new BenchOptions(
          database,
          url,
          schema,
          Set.copyOf(scenarios),
          rounds,
          messages,
          payloadBytes,
          producerThreads,
          List.copyOf(relayCounts),
          List.copyOf(batchSizes),
          List.copyOf(keyCounts),
          List.copyOf(new java.util.LinkedHashSet<>(orderings)),
          backlogSizes.stream().distinct().sorted().toList(),
          List.copyOf(latencyRates),
          latencyDuration,
          pollInterval,
          batchesInFlight,
          historyRows,
          growthClaims,
          amqpUrl,
          kafkaBootstrap,
          soakDuration,
          soakRate,
          longTransaction,
          warmup,
          target);
    }

    private void checkSoak() {
      durationRange("soak-duration", soakDuration, Duration.ofMinutes(1), Duration.ofHours(24));
      range("soak-rate", soakRate, 1, 10_000);
      durationRange(
          "long-transaction",
          longTransaction,
          Duration.ofSeconds(1),
          soakDuration.minus(SOAK_RECOVERY.multipliedBy(3).dividedBy(2)));
      if (scenarios.contains(Scenario.SOAK) && scenarios.size() > 1) {
        throw new IllegalArgumentException("the soak scenario runs alone, was " + scenarios);
      }
      if (scenarios.contains(Scenario.SOAK) && database != Database.POSTGRESQL) {
        throw new IllegalArgumentException("the soak scenario runs on PostgreSQL only");
      }
    }

    private static void range(String name, long value, long min, long max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", was " + value);
      }
    }

    private static void eachInRange(String name, List<Integer> values, int min, int max) {
      if (values == null || values.isEmpty()) {
        throw new IllegalArgumentException(name + " must list at least one value");
      }
      for (int v : values) {
        range(name, v, min, max);
      }
    }

    private static void durationRange(String name, Duration value, Duration min, Duration max) {
      Objects.requireNonNull(value, name + " must not be null");
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", was " + value);
      }
    }
  }
}
