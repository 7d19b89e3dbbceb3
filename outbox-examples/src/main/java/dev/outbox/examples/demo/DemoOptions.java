package dev.outbox.examples.demo;

import dev.outbox.OutboxTables;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  private static final Set<String> KNOWN =
      Set.of(
          "jdbc-url",
          "user",
          "password",
          "schema",
          "sender",
          "rabbitmq-uri",
          "kafka-bootstrap",
          "threads",
          "rate",
          "duration",
          "rollback-percent",
          "flaky-percent",
          "drain-timeout",
          "help");

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

  static final String USAGE =
      """
      Usage: OrderDemo [options]   (every option also as --name=value)
        --jdbc-url URL          jdbc:postgresql:, jdbc:mysql: or jdbc:mariadb: URL
                                                            env OUTBOX_DEMO_JDBC_URL, default %s
        --user NAME             database user               env OUTBOX_DEMO_USER, default %s
                                                            (root on MySQL/MariaDB)
        --password SECRET       database password           env OUTBOX_DEMO_PASSWORD, default empty
        --schema NAME           schema for the demo tables  default %s
        --sender KIND           print | rabbitmq | kafka    default print
        --rabbitmq-uri URI      for --sender rabbitmq       env OUTBOX_DEMO_RABBITMQ_URI, default %s
        --kafka-bootstrap HOSTS for --sender kafka          env OUTBOX_DEMO_KAFKA_BOOTSTRAP, default %s
        --threads N             order threads, 1-64         default %d
        --rate N                orders per second, 1-1000   default %d
        --duration D            how long to place orders    default 10s (e.g. 500ms, 30s, 2m; up to 10m)
        --rollback-percent P    orders rolled back, 0-100   default %d
        --flaky-percent P       print sender failures, 0-90 default %d (retried by the relay)
        --drain-timeout D       wait for delivery after the last order, default 60s (up to 10m)
        --help                  this text
      """
          .formatted(
              DEFAULT_JDBC_URL,
              DEFAULT_USER,
              DEFAULT_SCHEMA,
              DEFAULT_RABBITMQ_URI,
              DEFAULT_KAFKA_BOOTSTRAP,
              DEFAULT_THREADS,
              DEFAULT_RATE,
              DEFAULT_ROLLBACK_PERCENT,
              DEFAULT_FLAKY_PERCENT);

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

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'; options start --");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (name.equals("help")) {
        value = "true";
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("option --" + name + " needs a value");
      }
      if (!KNOWN.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; see --help");
      }
      flags.put(name, value);
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
