package dev.outbox.examples.demo;

import dev.outbox.OutboxTables;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The demo's settings, from command-line flags, else environment variables, else defaults that
 * point at a local PostgreSQL. The database is chosen from the JDBC URL (see {@link DemoDatabase});
 * a URL of another database is refused here, before anything connects.
 *
 * @param jdbcUrl where the demo's tables live
 * @param database the database {@code jdbcUrl} points at
 * @param user database user
 * @param password database password (empty for trust authentication)
 * @param schema schema of the demo's orders table and outbox tables
 * @param sender where the relay delivers
 * @param rabbitMqUri the RabbitMQ broker for {@code --sender rabbitmq}
 * @param kafkaBootstrap the Kafka brokers for {@code --sender kafka}
 * @param threads how many threads place orders
 * @param rate orders per second, all threads together
 * @param duration how long orders are placed
 * @param rollbackPercent share of order transactions rolled back on purpose
 * @param flakyPercent share of deliveries the printing sender fails on purpose (retried)
 * @param drainTimeout how long to wait, after the last order, for every message to be delivered
 * @param help whether only the usage was asked for
 */
record DemoOptions(
    String jdbcUrl,
    DemoDatabase database,
    String user,
    String password,
    String schema,
    SenderKind sender,
    String rabbitMqUri,
    String kafkaBootstrap,
    int threads,
    int rate,
    Duration duration,
    int rollbackPercent,
    int flakyPercent,
    Duration drainTimeout,
    boolean help) {

  /** Where the demo delivers. */
  enum SenderKind {
    PRINT,
    RABBITMQ,
    KAFKA
  }

  static final String DEFAULT_JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
  static final String DEFAULT_USER = "postgres";
  static final String DEFAULT_SCHEMA = "outbox_demo";
  static final String DEFAULT_RABBITMQ_URI = "amqp://guest:guest@127.0.0.1:5672";
  static final String DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092";
  static final int DEFAULT_THREADS = 4;
  static final int DEFAULT_RATE = 40;
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
  static final int DEFAULT_ROLLBACK_PERCENT = 20;
  static final int DEFAULT_FLAKY_PERCENT = 10;
  static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Limits that keep the demo's bookkeeping (every message id and lag, in memory) small: at most
   * 600,000 orders.
   */
  static final int MAX_RATE = 1000;

  static final Duration MAX_DURATION = Duration.ofMinutes(10);

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

  /** The options, as picocli reads them; every value is a string checked by {@link #parse}. */
  @Command(
      name = "OrderDemo",
      sortOptions = false,
      usageHelpWidth = 100,
      synopsisHeading = "Usage: ",
      optionListHeading = "%n")
  static final class Flags {
    @Option(
        names = "--jdbc-url",
        paramLabel = "URL",
        description =
            "jdbc:postgresql:, jdbc:mysql: or jdbc:mariadb: URL (env OUTBOX_DEMO_JDBC_URL, default "
                + DEFAULT_JDBC_URL
                + ")")
    String jdbcUrl;

    @Option(
        names = "--user",
        paramLabel = "NAME",
        description =
            "database user (env OUTBOX_DEMO_USER, default "
                + DEFAULT_USER
                + ", root on MySQL/MariaDB)")
    String user;

    @Option(
        names = "--password",
        paramLabel = "SECRET",
        description = "database password (env OUTBOX_DEMO_PASSWORD, default empty)")
    String password;

    @Option(
        names = "--schema",
        paramLabel = "NAME",
        description =
            "schema (MySQL: database) for the demo tables (default " + DEFAULT_SCHEMA + ")")
    String schema;

    @Option(
        names = "--sender",
        paramLabel = "KIND",
        description = "print | rabbitmq | kafka (default print)")
    String sender;

    @Option(
        names = "--rabbitmq-uri",
        paramLabel = "URI",
        description =
            "for --sender rabbitmq (env OUTBOX_DEMO_RABBITMQ_URI, default "
                + DEFAULT_RABBITMQ_URI
                + ")")
    String rabbitmqUri;

    @Option(
        names = "--kafka-bootstrap",
        paramLabel = "HOSTS",
        description =
            "for --sender kafka (env OUTBOX_DEMO_KAFKA_BOOTSTRAP, default "
                + DEFAULT_KAFKA_BOOTSTRAP
                + ")")
    String kafkaBootstrap;

    @Option(
        names = "--threads",
        paramLabel = "N",
        description = "order threads, 1-64 (default " + DEFAULT_THREADS + ")")
    String threads;

    @Option(
        names = "--rate",
        paramLabel = "N",
        description = "orders per second, 1-1000 (default " + DEFAULT_RATE + ")")
    String rate;

    @Option(
        names = "--duration",
        paramLabel = "D",
        description = "how long to place orders, e.g. 500ms, 30s, 2m; up to 10m (default 10s)")
    String duration;

    @Option(
        names = "--rollback-percent",
        paramLabel = "P",
        description = "orders rolled back, 0-100 (default " + DEFAULT_ROLLBACK_PERCENT + ")")
    String rollbackPercent;

    @Option(
        names = "--flaky-percent",
        paramLabel = "P",
        description =
            "print sender failures, 0-90, retried by the relay (default "
                + DEFAULT_FLAKY_PERCENT
                + ")")
    String flakyPercent;

    @Option(
        names = "--drain-timeout",
        paramLabel = "D",
        description = "wait for delivery after the last order, up to 10m (default 60s)")
    String drainTimeout;

    @Option(names = "--help", usageHelp = true, description = "this text")
    boolean help;
  }

  static final String USAGE = new CommandLine(new Flags()).getUsageMessage(Help.Ansi.OFF);

  /**
   * Parses {@code args}, falling back to {@code env} and then to the defaults.
   *
   * @throws IllegalArgumentException naming the flag and its allowed values
   */
  static DemoOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> flags = flags(args);
    String schema = flags.getOrDefault("schema", DEFAULT_SCHEMA);
    checkSchema(schema);
    String jdbcUrl =
        flags.getOrDefault("jdbc-url", env.getOrDefault("OUTBOX_DEMO_JDBC_URL", DEFAULT_JDBC_URL));
    DemoDatabase database = DemoDatabase.of(jdbcUrl);
    return new DemoOptions(
        jdbcUrl,
        database,
        flags.getOrDefault("user", env.getOrDefault("OUTBOX_DEMO_USER", database.defaultUser())),
        flags.getOrDefault("password", env.getOrDefault("OUTBOX_DEMO_PASSWORD", "")),
        schema,
        senderKind(flags.getOrDefault("sender", "print")),
        flags.getOrDefault(
            "rabbitmq-uri", env.getOrDefault("OUTBOX_DEMO_RABBITMQ_URI", DEFAULT_RABBITMQ_URI)),
        flags.getOrDefault(
            "kafka-bootstrap",
            env.getOrDefault("OUTBOX_DEMO_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)),
        intFlag(flags, "threads", DEFAULT_THREADS, 1, 64),
        intFlag(flags, "rate", DEFAULT_RATE, 1, MAX_RATE),
        durationFlag(flags, "duration", DEFAULT_DURATION, MAX_DURATION),
        intFlag(flags, "rollback-percent", DEFAULT_ROLLBACK_PERCENT, 0, 100),
        intFlag(flags, "flaky-percent", DEFAULT_FLAKY_PERCENT, 0, 90),
        durationFlag(flags, "drain-timeout", DEFAULT_DRAIN_TIMEOUT, MAX_DURATION),
        flags.containsKey("help"));
  }

  /** The options given, by name without the dashes; {@code help} when help was asked for. */
  private static Map<String, String> flags(String[] args) {
    CommandLine line = new CommandLine(new Flags());
    ParseResult parsed = CommandLines.parse(line, args);
    Map<String, String> flags = new HashMap<>();
    for (OptionSpec option : parsed.matchedOptions()) {
      flags.put(option.longestName().substring(2), String.valueOf(option.<Object>getValue()));
    }
    return flags;
  }

  private static void checkSchema(String schema) {
    try {
      new OutboxTables(schema, OutboxTables.DEFAULT_TABLE);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--schema: " + e.getMessage(), e);
    }
  }

  private static SenderKind senderKind(String value) {
    try {
      return SenderKind.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--sender must be print, rabbitmq or kafka, was '" + value + "'", e);
    }
  }

  private static int intFlag(Map<String, String> flags, String name, int dflt, int min, int max) {
    String value = flags.get(name);
    if (value == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--"
            + name
            + " must be a whole number from "
            + min
            + " to "
            + max
            + ", was '"
            + value
            + "'");
  }

  private static Duration durationFlag(
      Map<String, String> flags, String name, Duration dflt, Duration max) {
    String value = flags.get(name);
    if (value == null) {
      return dflt;
    }
    Matcher m = DURATION.matcher(value);
    Duration d = null;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
          };
    }
    if (d == null || d.isZero() || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "--"
              + name
              + " must be a positive duration such as 500ms, 30s or 2m, at most "
              + max.toMinutes()
              + "m, was '"
              + value
              + "'");
    }
    return d;
  }
}
