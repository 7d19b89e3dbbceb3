package dev.outbox;

import dev.outbox.internal.BacklogGauges;
import dev.outbox.internal.Checks;
import dev.outbox.internal.Doorbell;
import dev.outbox.internal.RelayCycle;
import dev.outbox.internal.RelayLoop;
import dev.outbox.internal.RelayMetrics;
import dev.outbox.internal.RelaySettings;
import dev.outbox.internal.RelayTracing;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.Wakeup;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers committed outbox messages to a {@link Sender}, at least once. Each cycle claims a batch
 * of due messages under a lease in a short transaction, sends it with no transaction open, and
 * acknowledges the outcomes in another short transaction fenced by the lease token.
 *
 * <pre>{@code
 * OutboxRelay relay = OutboxRelay.builder(dataSource, new PostgresDialect(), sender)
 *     .batchSize(100)
 *     .backoff(Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5)))
 *     .build();
 * relay.start();
 * ...
 * relay.close();
 * }</pre>
 *
 * <p>Any number of relays, in any number of JVMs, may serve one table: a message is in flight on at
 * most one of them while leases are honoured, and a crashed relay's messages are claimed again when
 * their lease expires. Thread-safe.
 *
 * <p>(This file is longer than most because it holds the builder, whose setters each document their
 * option and its default.)
 */
public final class OutboxRelay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final DataSource dataSource;
  private final OutboxDialect dialect;
  private final RelaySettings settings;
  private final OpenTelemetry openTelemetry;
  private final RelayCycle cycle;
  private final PartitionMaintenance maintenance;
  private final Doorbell doorbell = new Doorbell();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private RelayLoop loop;
  private Thread thread;
  private Wakeup wakeup = Wakeup.NONE;
  private BacklogGauges gauges;

  OutboxRelay(
      DataSource dataSource,
      OutboxDialect dialect,
      Sender sender,
      RelaySettings settings,
      OpenTelemetry openTelemetry,
      PartitionMaintenance maintenance) {
    this.dataSource = dataSource;
    this.maintenance = maintenance;
    this.dialect = dialect;
    this.settings = settings;
    this.openTelemetry = openTelemetry;
    RelayMetrics metrics =
        new RelayMetrics(openTelemetry, settings.name(), settings.warnAfterAttempts());
    RelayTracing tracing = new RelayTracing(openTelemetry, settings.name());
    this.cycle =
        new RelayCycle(dataSource, dialect, sender, settings, metrics, tracing, this::report);
  }

  /**
   * Starts configuring a relay that reads from {@code dataSource} (a pooled one: the relay borrows
   * a connection for each claim and each ack, and, on PostgreSQL, holds one for LISTEN), with
   * {@code dialect}'s SQL, and delivers through {@code sender}.
   */
  public static Builder builder(DataSource dataSource, OutboxDialect dialect, Sender sender) {
    return new Builder(dataSource, dialect, sender);
  }

  /** The relay's name, used in thread names, logs and metrics. */
  public String name() {
    return settings.name();
  }

  /**
   * Starts the relay's background thread ({@code outbox-<name>-relay}), where the database supports
   * it its wake-up listener, and the {@link Builder#partitionMaintenance partition maintenance}
   * configured with it. Returns at once.
   *
   * @throws IllegalStateException if already started or closed
   */
  public synchronized void start() {
    if (closed.get()) {
      throw new IllegalStateException("relay '" + name() + "' is closed; build a new one");
    }
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("relay '" + name() + "' is already started");
    }
    logConfiguration();
    gauges = BacklogGauges.register(openTelemetry, dataSource, dialect, settings);
    wakeup = dialect.listen(dataSource, settings.tables(), name(), doorbell::ring);
    loop = new RelayLoop(cycle, settings, doorbell, this::report);
    thread = new Thread(loop, "outbox-" + name() + "-relay");
    thread.setDaemon(true);
    thread.start();
    if (maintenance != null) {
      maintenance.start();
    }
  }

  /**
   * Asks the started relay to claim now instead of waiting for its poll interval: for code that
   * knows a transaction with messages has just committed in this JVM (such as a Spring after-commit
   * hook). Cheap, never blocks, and harmless when nothing is due; before {@link #start()} the
   * request is kept for the first cycle, after {@link #close()} it is ignored.
   */
  public void wakeUp() {
    doorbell.ring();
  }

  /**
   * Runs one claim-send-ack cycle on the calling thread, whether or not the relay is started: for
   * tests, and for applications that schedule delivery themselves.
   *
   * @return how many messages were claimed and handled (0 when none was due)
   * @throws RelayException if the claim or the ack failed, or the thread was interrupted while
   *     waiting for the sender; claimed messages are retried after their lease expires
   */
  public int runOnce() {
    if (closed.get()) {
      throw new IllegalStateException("relay '" + name() + "' is closed");
    }
    try {
      return cycle.run().claimed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RelayException(
          "relay '" + name() + "' was interrupted while waiting for the sender", e, true);
    }
  }

  /**
   * Stops claiming, lets the batches in flight finish and be acknowledged within the shutdown
   * timeout, stops the wake-up listener and the partition maintenance configured with it, and
   * returns. Batches that do not finish in time are abandoned (their threads interrupted) and their
   * messages are claimed again after their lease expires. Idempotent; the sender is not closed.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (this) {
      if (loop != null) {
        loop.stop();
      }
      wakeup.close();
      joinLoop();
      cycle.control().leave();
      if (gauges != null) {
        gauges.close();
      }
      if (maintenance != null) {
        maintenance.close();
      }
    }
    log.info("outbox relay '{}' stopped", name());
  }

  private void joinLoop() {
    if (thread == null) {
      return;
    }
    try {
      thread.join(Math.max(1, settings.shutdownTimeout().toMillis()));
      if (thread.isAlive()) {
        log.warn(
            "outbox relay '{}': the batches in flight did not finish within shutdownTimeout {};"
                + " interrupting them. Their messages stay leased and are delivered again after"
                + " the lease ({}) expires",
            name(),
            settings.shutdownTimeout(),
            settings.leaseDuration());
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
      }
      if (thread.isAlive()) {
        log.error("outbox relay '{}': thread {} did not stop", name(), thread.getName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.interrupt();
    }
  }

  private void report(RelayException e) {
    try {
      settings.errorListener().onError(name(), e);
    } catch (RuntimeException listenerFailure) {
      log.warn("outbox relay '{}': the error listener threw", name(), listenerFailure);
    }
  }

  private void logConfiguration() {
    log.info(
        "outbox relay '{}' starting: database={}, {}", name(), dialect.name(), settings.describe());
  }

  @Override
  public String toString() {
    return "OutboxRelay{" + name() + ", " + settings.tables() + '}';
  }

  /**
   * Configures an {@link OutboxRelay}. Every option has a default; {@link #build()} validates them
   * all and names the first invalid one. Not thread-safe.
   */
  public static final class Builder {
    /** Default {@link #batchSize(int)}. */
    public static final int DEFAULT_BATCH_SIZE = 100;

    /** Largest accepted {@link #batchSize(int)}. */
    public static final int MAX_BATCH_SIZE = 10_000;

    /** Default {@link #maxBatchesInFlight(int)}. */
    public static final int DEFAULT_MAX_BATCHES_IN_FLIGHT = 8;

    /** Largest accepted {@link #maxBatchesInFlight(int)}. */
    public static final int MAX_BATCHES_IN_FLIGHT = 64;

    /** Default {@link #pollInterval(Duration)}: 1 second. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    /** Longest accepted {@link #pollInterval(Duration)}: 1 hour. */
    public static final Duration MAX_POLL_INTERVAL = Duration.ofHours(1);

    /** Default {@link #linger(Duration)}: 5 milliseconds. */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(5);

    /** Longest accepted {@link #linger(Duration)}: 1 second. */
    public static final Duration MAX_LINGER = Duration.ofSeconds(1);

    /** Default {@link #leaseDuration(Duration)}: 60 seconds. */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(60);

    /**
     * Longest accepted {@link #leaseDuration(Duration)}, and so {@link #sendTimeout(Duration)}: 1
     * day.
     */
    public static final Duration MAX_LEASE_DURATION = Duration.ofDays(1);

    /** Default {@link #sendTimeout(Duration)}: 30 seconds. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

    /** Default {@link #maxAttempts(int)}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 10;

    /** Default {@link #warnAfterAttempts(int)}. */
    public static final int DEFAULT_WARN_AFTER_ATTEMPTS = 3;

    /** Default {@link #backoff(Backoff)}: exponential from 1 second, capped at 5 minutes. */
    public static final Backoff DEFAULT_BACKOFF =
        Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5));

    /** Default {@link #shutdownTimeout(Duration)}: 30 seconds. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /** Longest accepted {@link #shutdownTimeout(Duration)}: 1 hour. */
    public static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofHours(1);

    /** Default first pause of {@link #brokerPause(Duration, Duration)}: 1 second. */
    public static final Duration DEFAULT_BROKER_PAUSE = Duration.ofSeconds(1);

    /** Default longest pause of {@link #brokerPause(Duration, Duration)}: 1 minute. */
    public static final Duration DEFAULT_MAX_BROKER_PAUSE = Duration.ofMinutes(1);

    /** Default {@link #name(String)}. */
    public static final String DEFAULT_NAME = "default";

    private final DataSource dataSource;
    private final OutboxDialect dialect;
    private final Sender sender;
    private OutboxTables tables = OutboxTables.defaults();
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int maxBatchesInFlight = DEFAULT_MAX_BATCHES_IN_FLIGHT;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration linger = DEFAULT_LINGER;
    private Duration leaseDuration = DEFAULT_LEASE_DURATION;
    private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private int warnAfterAttempts = DEFAULT_WARN_AFTER_ATTEMPTS;
    private Duration brokerPause = DEFAULT_BROKER_PAUSE;
    private Duration maxBrokerPause = DEFAULT_MAX_BROKER_PAUSE;
    private Backoff backoff = DEFAULT_BACKOFF;
    private Ordering ordering = Ordering.PER_KEY;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private String name = DEFAULT_NAME;
    private OpenTelemetry openTelemetry;
    private Clock clock = Clock.systemUTC();
    private RelayErrorListener errorListener = RelaySettings::logError;
    private PartitionMaintenance partitionMaintenance;

    private Builder(DataSource dataSource, OutboxDialect dialect, Sender sender) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      this.sender = Objects.requireNonNull(sender, "sender");
    }

    /**
     * The outbox's tables: the schema (MySQL: database) and the message table, after which the
     * dead-letter and history tables are named. Give producers, relays, partition maintenance and
     * {@link OutboxMigrations} the same value. Default: {@link OutboxTables#defaults()}, table
     * {@value OutboxTables#DEFAULT_TABLE} in the connection's current schema.
     *
     * @throws NullPointerException if {@code tables} is null
     */
    public Builder tables(OutboxTables tables) {
      this.tables = Objects.requireNonNull(tables, "tables must not be null");
      return this;
    }

    /**
     * The most messages claimed and handed to the sender at once, from 1 to {@value
     * #MAX_BATCH_SIZE}. Default: {@value #DEFAULT_BATCH_SIZE}.
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * How many claimed batches may be with the sender or waiting for their acknowledgement at once,
     * from 1 to {@value #MAX_BATCHES_IN_FLIGHT}. While the sender works on one batch the relay
     * claims and sends the next, and a thread of its own ({@code outbox-<name>-ack}) acknowledges
     * the finished ones in the order they were claimed, so a broker a few milliseconds away and the
     * database are kept busy together. Every batch keeps its own lease and send timeout; under
     * {@link Ordering#PER_KEY} a key whose messages are in flight is not claimed again until they
     * are acknowledged, so per-key order is unchanged. {@code 1} claims, sends and acknowledges
     * strictly in turn. Default: {@value #DEFAULT_MAX_BATCHES_IN_FLIGHT}.
     */
    public Builder maxBatchesInFlight(int maxBatchesInFlight) {
      this.maxBatchesInFlight = maxBatchesInFlight;
      return this;
    }

    /**
     * The longest the relay waits between claims when it finds nothing to do and is not woken
     * earlier (PostgreSQL NOTIFY). After a full batch it claims again at once. Positive, at most 1
     * hour. Default: 1 second.
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * How long the relay waits before its next claim after one that did not fill its batch but
     * shows messages arriving fast: three or more, at least one a millisecond since the previous
     * claim. Waiting lets the next claim take more of them at once, so that under load the relay
     * claims and acknowledges in fewer, fuller batches and takes less of the database from the
     * producers. A wake-up (NOTIFY, an acknowledgement) does not end it; stopping the relay does.
     * Slower traffic is claimed as soon as the relay is woken, so a trickle is delivered within
     * milliseconds. The cost: under load a message waits up to this long more. {@link
     * Duration#ZERO} claims again at once. At most 1 second. Default: 5 milliseconds.
     */
    public Builder linger(Duration linger) {
      this.linger = linger;
      return this;
    }

    /**
     * How long claimed messages belong to this relay. If it has not acknowledged them by then (it
     * crashed, or lost its database connection), any relay may claim them again. Longer than {@link
     * #sendTimeout(Duration)}, with room for the acknowledgement, and at most 1 day. Default: 60
     * seconds.
     */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
      return this;
    }

    /**
     * How long the relay waits for the sender's outcomes; records without an outcome by then are
     * retried. Positive and shorter than the lease (so under 1 day). Default: 30 seconds.
     */
    public Builder sendTimeout(Duration sendTimeout) {
      this.sendTimeout = sendTimeout;
      return this;
    }

    /**
     * How many delivery attempts a message gets before a retry outcome dead-letters it, at least 1.
     * Default: {@value #DEFAULT_MAX_ATTEMPTS}.
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * The attempt from which a failed delivery that is retried is logged at WARN, with the message
     * id, row id, topic, key, attempt, when it is tried again and the sender's error; at least 1.
     * Earlier failures leave only the message's {@code last_error}. Moves to the dead letters are
     * always logged at WARN. These lines are rate-limited per relay to one of each kind every 10
     * seconds, the next line counting those left out. A batch that fails as a whole because the
     * broker is away counts no attempt and is logged once when the outage starts, then at most once
     * every 10 seconds while it lasts. Default: {@value #DEFAULT_WARN_AFTER_ATTEMPTS}.
     */
    public Builder warnAfterAttempts(int warnAfterAttempts) {
      this.warnAfterAttempts = warnAfterAttempts;
      return this;
    }

    /**
     * Retries a message until it is sent, however often it fails: {@code maxAttempts} at its
     * largest, so that only a {@link Outcome#dead dead} outcome dead-letters a message. For teams
     * that never want a dead letter; a message that can never be sent then retries forever at the
     * backoff's cap and holds back its key. Not the default.
     */
    public Builder retryForever() {
      this.maxAttempts = Integer.MAX_VALUE;
      return this;
    }

    /**
     * The circuit breaker for a broker that is away. When a whole batch fails for a reason that is
     * not the messages' (the sender threw, its stage failed or timed out, or it reported retry for
     * every record with a connection-level cause: an {@link java.io.IOException} or a {@link
     * java.util.concurrent.TimeoutException} among its causes), the batch is retried without
     * counting the attempt, so no message is dead-lettered by an outage, and the relay pauses:
     * {@code pause} at first, doubling with full jitter up to {@code maxPause} while the broker
     * stays away. After each pause it probes with a batch of one message and resumes at full speed
     * once that is delivered. Both positive and at most 1 hour. Default: 1 second and 1 minute.
     */
    public Builder brokerPause(Duration pause, Duration maxPause) {
      this.brokerPause = pause;
      this.maxBrokerPause = maxPause;
      return this;
    }

    /**
     * The delay before a failed message is tried again. Default: {@link
     * Backoff#exponential(Duration, Duration) exponential} with full jitter from 1 second, capped
     * at 5 minutes.
     */
    public Builder backoff(Backoff backoff) {
      this.backoff = backoff;
      return this;
    }

    /** Per-key ordering or none. Default: {@link Ordering#PER_KEY}. */
    public Builder ordering(Ordering ordering) {
      this.ordering = ordering;
      return this;
    }

    /**
     * How long {@link #close()} waits for the batches in flight before interrupting it; zero or
     * positive, at most 1 hour. Default: 30 seconds.
     */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /**
     * The relay's name in thread names ({@code outbox-<name>-relay}), logs and metrics: 1 to 64
     * letters, digits, dots, dashes or underscores. Default: {@value #DEFAULT_NAME}.
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Where metrics and spans are recorded. Default: {@link GlobalOpenTelemetry}. */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = openTelemetry;
      return this;
    }

    /**
     * The clock used for leases, due times and backoff. Default: {@link Clock#systemUTC()}. All
     * relays and producers of one table should have clocks that agree to well within the lease.
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Told about every failure the relay survives. Default: logs it with the relay's name, a
     * transient failure at WARN in one line, any other at ERROR with its stack trace.
     */
    public Builder errorListener(RelayErrorListener errorListener) {
      this.errorListener = errorListener;
      return this;
    }

    /**
     * Partition maintenance to run alongside the relay: {@link OutboxRelay#start()} starts it and
     * {@link OutboxRelay#close()} closes it, so the relay owns it from then on. It must maintain
     * the relay's tables (the same {@link #tables(OutboxTables)}). Default: none; retention is then
     * up to the application.
     */
    public Builder partitionMaintenance(PartitionMaintenance partitionMaintenance) {
      this.partitionMaintenance = partitionMaintenance;
      return this;
    }

    /**
     * Returns the relay, not yet started.
     *
     * @throws IllegalArgumentException naming the first invalid option and its allowed range
     */
    public OutboxRelay build() {
      Checks.inRange("batchSize", batchSize, 1, MAX_BATCH_SIZE);
      Checks.inRange("maxBatchesInFlight", maxBatchesInFlight, 1, MAX_BATCHES_IN_FLIGHT);
      Checks.inRange("maxAttempts", maxAttempts, 1, Integer.MAX_VALUE);
      Checks.inRange("warnAfterAttempts", warnAfterAttempts, 1, Integer.MAX_VALUE);
      Checks.positive("pollInterval", pollInterval, MAX_POLL_INTERVAL);
      Checks.notNegative("linger", linger, MAX_LINGER);
      Checks.positive("sendTimeout", sendTimeout, MAX_LEASE_DURATION);
      Checks.positive("leaseDuration", leaseDuration, MAX_LEASE_DURATION);
      if (leaseDuration.compareTo(sendTimeout) <= 0) {
        throw new IllegalArgumentException(
            "leaseDuration ("
                + leaseDuration
                + ") must be longer than sendTimeout ("
                + sendTimeout
                + "), or another relay could claim messages that are still being sent");
      }
      Checks.notNegative("shutdownTimeout", shutdownTimeout, MAX_SHUTDOWN_TIMEOUT);
      Checks.positive("brokerPause", brokerPause, MAX_POLL_INTERVAL);
      Checks.positive("maxBrokerPause", maxBrokerPause, MAX_POLL_INTERVAL);
      if (maxBrokerPause.compareTo(brokerPause) < 0) {
        throw new IllegalArgumentException(
            "maxBrokerPause ("
                + maxBrokerPause
                + ") must not be shorter than brokerPause ("
                + brokerPause
                + ")");
      }
      Checks.name(name);
      Objects.requireNonNull(backoff, "backoff must not be null");
      Objects.requireNonNull(ordering, "ordering must not be null");
      Objects.requireNonNull(clock, "clock must not be null");
      Objects.requireNonNull(errorListener, "errorListener must not be null");
      RelaySettings settings =
          new RelaySettings(
              name,
              tables,
              batchSize,
              maxBatchesInFlight,
              pollInterval,
              linger,
              leaseDuration,
              sendTimeout,
              maxAttempts,
              backoff,
              ordering,
              shutdownTimeout,
              brokerPause,
              maxBrokerPause,
              clock,
              errorListener,
              warnAfterAttempts);
      if (partitionMaintenance != null
          && !partitionMaintenance.tables().equals(settings.tables())) {
        throw new IllegalArgumentException(
            "partitionMaintenance maintains "
                + partitionMaintenance.tables()
                + " but the relay serves "
                + settings.tables()
                + "; give both the same tables(...)");
      }
      OpenTelemetry otel = openTelemetry != null ? openTelemetry : GlobalOpenTelemetry.get();
      return new OutboxRelay(dataSource, dialect, sender, settings, otel, partitionMaintenance);
    }
  }
}
