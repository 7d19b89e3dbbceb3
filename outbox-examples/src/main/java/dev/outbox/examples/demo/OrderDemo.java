package dev.outbox.examples.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Backoff;
import dev.outbox.JdbcOutbox;
import dev.outbox.MigrationFailedException;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Sender;
import dev.outbox.examples.demo.DemoSenders.DemoSender;
import dev.outbox.spi.OutboxDialect;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The order-service demo. It migrates its tables (the application's own {@code orders} table with
 * the application's Flyway, the outbox tables with {@link OutboxMigrations}), starts a HikariCP
 * pool and a relay, and places orders from several threads: each order row and its {@code
 * order.created} message in one transaction, some rolled back on purpose. It prints its progress
 * every second and, at the end, a {@code SUMMARY} line: orders committed and rolled back, messages
 * delivered, retried, dead-lettered (as the dead-letter table says) and still pending, and the
 * delivery lag.
 *
 * <p>Run {@code --help} for the options. Exit codes: 0 when every committed order's message was
 * delivered or dead-lettered and no rolled-back order's was delivered; 1 when not; 2 when the
 * database or the broker cannot be reached; 64 for bad options.
 */
public final class OrderDemo {
  static final int EXIT_OK = 0;
  static final int EXIT_INCONSISTENT = 1;
  static final int EXIT_UNREACHABLE = 2;
  static final int EXIT_USAGE = 64;

  /** Delivery attempts before the relay moves a message to the dead letters. */
  static final int MAX_ATTEMPTS = 10;

  /** How long order threads may overrun their deadline (a hung transaction) before interrupted. */
  private static final Duration ORDER_THREADS_GRACE = Duration.ofSeconds(30);

  private final DemoOptions options;
  private final PrintStream out;
  private final PrintStream err;
  private final OutboxTables tables;
  private final OutboxDialect dialect;

  private OrderDemo(DemoOptions options, PrintStream out, PrintStream err) {
    this.options = options;
    this.dialect = options.database().dialect();
    this.out = out;
    this.err = err;
    this.tables = new OutboxTables(options.schema(), OutboxTables.DEFAULT_TABLE);
  }

  /** Runs the demo with {@code args} and exits with its exit code. */
  public static void main(String[] args) {
    quietLibraryLogs();
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != EXIT_OK) {
      System.exit(code);
    }
  }

  /**
   * Runs the demo with {@code args}, reading defaults from {@code env} and printing to {@code out}
   * and {@code err}, for embedding it (a test, another launcher) without exiting the JVM.
   *
   * @return the exit code {@link #main} would exit with
   */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args, env);
    } catch (IllegalArgumentException e) {
      err.println("demo: " + e.getMessage());
      err.print(DemoOptions.USAGE);
      return EXIT_USAGE;
    }
    if (options.help()) {
      out.print(DemoOptions.USAGE);
      return EXIT_OK;
    }
    return new OrderDemo(options, out, err).run();
  }

  private int run() {
    out.printf(
        "[demo] %d threads place about %d orders/s for %ds; %d%% of the transactions roll back"
            + " on purpose%n",
        options.threads(),
        options.rate(),
        options.duration().toSeconds(),
        options.rollbackPercent());
    HikariDataSource dataSource;
    try {
      dataSource = pool();
    } catch (RuntimeException e) {
      err.println(unreachable(e));
      return EXIT_UNREACHABLE;
    }
    try (dataSource) {
      migrate(dataSource);
      DemoSender delivery = DemoSenders.create(options, out);
      try {
        return runWith(dataSource, delivery);
      } finally {
        closeQuietly(delivery.resource());
      }
    } catch (DemoException e) {
      err.println("demo: " + e.getMessage());
      return EXIT_UNREACHABLE;
    } catch (MigrationFailedException | FlywayException e) {
      err.println("demo: the migrations failed: " + e.getMessage());
      return EXIT_INCONSISTENT;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("demo: interrupted");
      return EXIT_INCONSISTENT;
    }
  }

  private HikariDataSource pool() {
    HikariConfig config =
        options.database().poolConfig(options.jdbcUrl(), options.user(), options.password());
    config.setPoolName("outbox-demo");
    // Order threads, plus the relay's claim/ack connection, its LISTEN connection and a spare.
    config.setMaximumPoolSize(options.threads() + 3);
    return new HikariDataSource(config);
  }

  private String unreachable(RuntimeException e) {
    Throwable root = e;
    boolean refused = false;
    while (root.getCause() != null) {
      root = root.getCause();
      // SQL state class 28, invalid authorization: the server answered and refused the user.
      refused |=
          root instanceof SQLException sql && String.valueOf(sql.getSQLState()).startsWith("28");
    }
    String failed =
        "demo: could not connect to "
            + options.database().label()
            + " at "
            + redacted(options.jdbcUrl())
            + " as user '"
            + options.user()
            + "': "
            + root.getMessage();
    if (refused) {
      return failed
          + "\ndemo: the server refused the user or its password: give the right ones with --user"
          + " and --password (or OUTBOX_DEMO_USER, OUTBOX_DEMO_PASSWORD)";
    }
    return failed
        + "\ndemo: start "
        + options.database().label()
        + " there, or point the demo at your database with --jdbc-url,"
        + " --user and --password (or OUTBOX_DEMO_JDBC_URL, OUTBOX_DEMO_USER,"
        + " OUTBOX_DEMO_PASSWORD)";
  }

  private static String redacted(String jdbcUrl) {
    return DemoDatabase.redacted(jdbcUrl);
  }

  private void migrate(HikariDataSource dataSource) {
    Flyway.configure(OrderDemo.class.getClassLoader())
        .dataSource(dataSource)
        .schemas(options.schema())
        .defaultSchema(options.schema())
        .createSchemas(true)
        .locations(options.database().ordersMigrations())
        .load()
        .migrate();
    OutboxMigrations.migrate(dataSource, dialect, tables);
    out.printf(
        "[demo] %s %s, %s %s: table orders migrated by the application's Flyway, outbox tables"
            + " by OutboxMigrations.migrate%n",
        options.database().label(),
        redacted(options.jdbcUrl()),
        options.database() == DemoDatabase.POSTGRESQL ? "schema" : "database",
        options.schema());
  }

  private int runWith(HikariDataSource dataSource, DemoSender delivery)
      throws InterruptedException {
    out.println("[demo] messages go to: " + delivery.description());
    DemoStats stats = new DemoStats();
    Sender counting = new CountingSender(delivery.sender(), stats, Clock.systemUTC());
    JdbcOutbox outbox = JdbcOutbox.builder(dialect).tables(tables).build();
    DemoTables state = new DemoTables(dataSource, dialect, tables, Instant.now());
    long start = System.nanoTime();
    try (OutboxRelay relay = relay(dataSource, counting)) {
      relay.start();
      placeOrders(dataSource, outbox, stats, state, start);
      drain(stats, state, start);
    }
    DemoStats.Snapshot summary = stats.snapshot(state.deadLetterIds());
    out.println(summary.summaryLine());
    DemoVerdict.print(out, summary, options.jdbcUrl(), options.schema(), MAX_ATTEMPTS);
    return summary.consistent() ? EXIT_OK : EXIT_INCONSISTENT;
  }

  private OutboxRelay relay(HikariDataSource dataSource, Sender sender) {
    return OutboxRelay.builder(dataSource, dialect, sender)
        .tables(tables)
        .name("demo")
        .batchSize(100)
        .maxAttempts(MAX_ATTEMPTS)
        .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2)))
        .shutdownTimeout(Duration.ofSeconds(10))
        .build();
  }

  private void placeOrders(
      HikariDataSource dataSource, JdbcOutbox outbox, DemoStats stats, DemoTables state, long start)
      throws InterruptedException {
    long deadline = start + options.duration().toNanos();
    ExecutorService threads = Executors.newFixedThreadPool(options.threads(), orderThreads());
    for (int i = 0; i < options.threads(); i++) {
      threads.execute(new OrderPlacer(dataSource, outbox, stats, options, deadline));
    }
    threads.shutdown();
    long giveUp = deadline + ORDER_THREADS_GRACE.toNanos();
    while (!threads.awaitTermination(1, TimeUnit.SECONDS)) {
      printProgress(stats, state, start);
      if (System.nanoTime() > giveUp) {
        err.println("demo: order transactions are hanging; interrupting them");
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
        break;
      }
    }
  }

  /**
   * Waits until every committed order's message was delivered or dead-lettered, or the drain
   * timeout.
   */
  private void drain(DemoStats stats, DemoTables state, long start) throws InterruptedException {
    long deadline = System.nanoTime() + options.drainTimeout().toNanos();
    long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    boolean waited = false;
    while (true) {
      DemoStats.Snapshot s = stats.snapshot(state.deadLetterIds());
      if (s.undelivered() == 0 && !state.anyPending()) {
        if (waited) {
          printProgress(stats, state, start);
        }
        return;
      }
      if (System.nanoTime() > deadline) {
        err.printf(
            "demo: %d messages were still pending in the outbox after --drain-timeout %ds (%d of"
                + " them never reached the sender); they stay there and the next run sends them%n",
            state.pending(), options.drainTimeout().toSeconds(), s.undelivered());
        return;
      }
      if (System.nanoTime() >= nextProgress) {
        printProgress(stats, state, start);
        nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      }
      waited = true;
      Thread.sleep(200);
    }
  }

  private void printProgress(DemoStats stats, DemoTables state, long start) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    out.println(stats.snapshot(state.deadLetterIds()).progressLine(elapsed));
  }

  private static ThreadFactory orderThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> new Thread(r, "outbox-demo-orders-" + count.incrementAndGet());
  }

  private void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      err.println("demo: closing the sender failed: " + e);
    }
  }

  /** Keeps the libraries' start-up chatter out of the demo's output, unless configured. */
  private static void quietLibraryLogs() {
    for (String logger : new String[] {"org.apache.kafka", "com.zaxxer.hikari", "org.flywaydb"}) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }
}
