package dev.outbox;

import dev.outbox.internal.Checks;
import dev.outbox.internal.MaintenanceRun;
import dev.outbox.internal.MaintenanceSettings;
import dev.outbox.internal.PartitionTelemetry;
import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.PartitionSupport;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention for the message table, which is range-partitioned on {@code created_at}: creates
 * partitions ahead of time and drops old ones once every message in them is finished, instead of
 * deleting rows.
 *
 * <pre>{@code
 * PartitionMaintenance maintenance =
 *     PartitionMaintenance.builder(dataSource, new PostgresDialect())
 *         .retention(Duration.ofDays(7))
 *         .build();
 * maintenance.start();   // runs now, then every runPeriod, on thread outbox-<name>-partitions
 * ...
 * maintenance.close();
 * }</pre>
 *
 * <p>Each run, under a database lock so that one instance works at a time and the others skip:
 *
 * <ul>
 *   <li>creates the partition of the current interval (UTC day or hour) and {@code partitionsAhead}
 *       after it, and a partition for every interval the catch-all partition holds rows for, moving
 *       those rows into it (nothing lost or duplicated);
 *   <li>drops each partition whose range ended more than {@code retention} ago, if it holds no
 *       message that is pending, leased or waiting for a retry; one that does is kept and reported
 *       in the log, the metrics and the {@link MaintenanceResult}. Dead letters are in their own
 *       table and never touched.
 * </ul>
 *
 * <p>Partitions are found through the database catalog, never by name. Every table lock the job
 * needs is bounded by {@code lockTimeout}: a run that cannot get one gives up, so producers queue
 * behind it for at most that long, and the next run tries again. If the job is never run, inserts
 * still succeed: rows land in the catch-all partition until a run moves them. A run borrows two
 * connections from the data source: one holds the lock, the other does the work. Thread-safe.
 *
 * <p>(This file is longer than most because it holds the builder, whose setters each document their
 * option and its default.)
 */
public final class PartitionMaintenance implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PartitionMaintenance.class);

  /** How long {@link #close()} waits for a run in progress. */
  static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  private final OutboxDialect dialect;
  private final MaintenanceSettings settings;
  private final MaintenanceRun run;
  private final PartitionTelemetry telemetry;
  private ScheduledExecutorService executor;
  private boolean started;
  private volatile boolean closed;

  private PartitionMaintenance(
      DataSource dataSource,
      OutboxDialect dialect,
      PartitionSupport support,
      MaintenanceSettings settings,
      OpenTelemetry openTelemetry) {
    this.dialect = dialect;
    this.settings = settings;
    this.run = new MaintenanceRun(dataSource, support, idempotencyKeys(dialect), settings);
    this.telemetry = new PartitionTelemetry(openTelemetry, settings.qualifiedTable());
  }

  /** The dialect's dedup operations, which empty the idempotency table; null if it has none. */
  private static DedupSupport idempotencyKeys(OutboxDialect dialect) {
    try {
      return dialect.dedup();
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }

  /**
   * Starts configuring maintenance of the outbox table in {@code dataSource} (a pooled one: each
   * run borrows two connections), with {@code dialect}'s SQL.
   */
  public static Builder builder(DataSource dataSource, OutboxDialect dialect) {
    return new Builder(dataSource, dialect);
  }

  /** The job's name, used in thread names and logs. */
  public String name() {
    return settings.name();
  }

  /** The tables this job maintains. */
  public OutboxTables tables() {
    return settings.tables();
  }

  /** The key of the database lock that lets one instance work at a time. */
  public long lockKey() {
    return settings.lockKey();
  }

  /**
   * Starts the background thread ({@code outbox-<name>-partitions}), which runs at once and then
   * every {@code runPeriod} after the previous run ended. A failed run is logged and the next one
   * tries again. Returns at once.
   *
   * @throws IllegalStateException if already started or closed
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("partition maintenance '" + name() + "' is closed");
    }
    if (started) {
      throw new IllegalStateException("partition maintenance '" + name() + "' is already started");
    }
    started = true;
    logConfiguration();
    String threadName = "outbox-" + name() + "-partitions";
    executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = new Thread(task, threadName);
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        this::runInBackground, 0, settings.runPeriod().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs maintenance once on the calling thread, whether or not the job is started: for tests, and
   * for applications that schedule it themselves.
   *
   * @return what the run did; {@link MaintenanceResult.Status#SKIPPED} when another instance held
   *     the lock, {@link MaintenanceResult.Status#LOCK_TIMEOUT} when a table lock was busy
   * @throws PartitionMaintenanceException if the database failed; steps finished before the failure
   *     stay done
   * @throws IllegalStateException if closed
   */
  public MaintenanceResult runOnce() {
    if (closed) {
      throw new IllegalStateException("partition maintenance '" + name() + "' is closed");
    }
    Span span = telemetry.startRun();
    try {
      MaintenanceResult result = run.run();
      telemetry.finished(span, result);
      return result;
    } catch (SQLException e) {
      PartitionMaintenanceException failure =
          new PartitionMaintenanceException(
              "partition maintenance '"
                  + name()
                  + "' of "
                  + settings.qualifiedTable()
                  + " failed: "
                  + e.getMessage(),
              e,
              dialect.isTransient(e));
      telemetry.failed(span, failure);
      throw failure;
    } catch (RuntimeException e) {
      telemetry.failed(span, e);
      throw e;
    }
  }

  private void runInBackground() {
    try {
      MaintenanceResult r = runOnce();
      log.debug("outbox partitions '{}': run ended {}", name(), r);
    } catch (PartitionMaintenanceException e) {
      if (e.isTransient()) {
        log.warn("{}; the next run in {} tries again", e.getMessage(), settings.runPeriod());
      } else {
        log.error(
            "{} (not transient: check the outbox table and its partitions; the next run in {}"
                + " tries again)",
            e.getMessage(),
            settings.runPeriod(),
            e);
      }
    } catch (RuntimeException e) {
      if (closed) {
        log.debug("outbox partitions '{}': closed while a run was due ({})", name(), e.toString());
        return;
      }
      // A scheduled task that throws is never run again: report and keep the schedule alive.
      log.error("outbox partitions '{}': run failed unexpectedly", name(), e);
    }
  }

  /**
   * Stops the background thread, waiting up to 30 seconds for a run in progress (its DDL is bounded
   * by the lock timeout, a large move of rows may take longer; it is interrupted then), and removes
   * the gauges. Idempotent.
   */
  @Override
  public void close() {
    ScheduledExecutorService running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = executor;
    }
    if (running != null) {
      running.shutdown();
      awaitStop(running);
    }
    telemetry.close();
    log.info("outbox partition maintenance '{}' stopped", name());
  }

  private void awaitStop(ScheduledExecutorService running) {
    try {
      if (!running.awaitTermination(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "outbox partitions '{}': the run in progress did not end within {}; interrupting it."
                + " A step it had not committed is rolled back by the database",
            name(),
            SHUTDOWN_TIMEOUT);
        running.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.shutdownNow();
    }
  }

  private void logConfiguration() {
    log.info(
        "outbox partition maintenance '{}' starting: database={}, table={}, interval={},"
            + " partitionsAhead={}, retention={}, runPeriod={}, lockTimeout={}, lockKey={}",
        name(),
        dialect.name(),
        settings.qualifiedTable(),
        settings.interval(),
        settings.partitionsAhead(),
        settings.retention(),
        settings.runPeriod(),
        settings.lockTimeout(),
        settings.lockKey());
  }

  @Override
  public String toString() {
    return "PartitionMaintenance{" + name() + ", " + settings.tables() + '}';
  }

  /**
   * Configures a {@link PartitionMaintenance}. Every option has a default; {@link #build()}
   * validates them all and names the first invalid one. Not thread-safe.
   */
  public static final class Builder {
    /** Default {@link #interval(PartitionInterval)}. */
    public static final PartitionInterval DEFAULT_INTERVAL = PartitionInterval.DAILY;

    /** Default {@link #partitionsAhead(int)}. */
    public static final int DEFAULT_PARTITIONS_AHEAD = 3;

    /** Largest accepted {@link #partitionsAhead(int)}. */
    public static final int MAX_PARTITIONS_AHEAD = 100;

    /** Default {@link #retention(Duration)}: 7 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    /** Longest accepted {@link #retention(Duration)}: 3650 days. */
    public static final Duration MAX_RETENTION = Duration.ofDays(3650);

    /** Default {@link #runPeriod(Duration)}: 1 hour. */
    public static final Duration DEFAULT_RUN_PERIOD = Duration.ofHours(1);

    /** Default {@link #lockTimeout(Duration)}: 3 seconds. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(3);

    /** Longest accepted {@link #lockTimeout(Duration)}: 1 minute. */
    public static final Duration MAX_LOCK_TIMEOUT = Duration.ofMinutes(1);

    /** Default {@link #name(String)}. */
    public static final String DEFAULT_NAME = "default";

    private final DataSource dataSource;
    private final OutboxDialect dialect;
    private OutboxTables tables = OutboxTables.defaults();
    private PartitionInterval interval = DEFAULT_INTERVAL;
    private int partitionsAhead = DEFAULT_PARTITIONS_AHEAD;
    private Duration retention = DEFAULT_RETENTION;
    private Duration runPeriod = DEFAULT_RUN_PERIOD;
    private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
    private Long lockKey;
    private String name = DEFAULT_NAME;
    private OpenTelemetry openTelemetry;
    private Clock clock = Clock.systemUTC();

    private Builder(DataSource dataSource, OutboxDialect dialect) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.dialect = Objects.requireNonNull(dialect, "dialect");
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
     * How much time one partition covers, on UTC boundaries. Changing it later is safe: ranges that
     * existing partitions already cover are left as they are. Default: {@link
     * PartitionInterval#DAILY}.
     */
    public Builder interval(PartitionInterval interval) {
      this.interval = interval;
      return this;
    }

    /**
     * How many partitions to keep ready after the current one, from 1 to {@value
     * #MAX_PARTITIONS_AHEAD}; together with the interval it bounds {@link #runPeriod(Duration)}.
     * Default: {@value #DEFAULT_PARTITIONS_AHEAD}.
     */
    public Builder partitionsAhead(int partitionsAhead) {
      this.partitionsAhead = partitionsAhead;
      return this;
    }

    /**
     * How long a partition is kept after the end of its range; then it is dropped once every
     * message in it is sent. Zero or positive, at most 3650 days. Default: 7 days.
     */
    public Builder retention(Duration retention) {
      this.retention = retention;
      return this;
    }

    /**
     * The pause between the end of one background run and the start of the next: positive, and at
     * most {@code interval × partitionsAhead}, so partitions are always ready before they are
     * needed. Default: 1 hour.
     */
    public Builder runPeriod(Duration runPeriod) {
      this.runPeriod = runPeriod;
      return this;
    }

    /**
     * The longest a run waits for a table lock before it gives up until the next run; producers
     * that queue behind its lock request wait at most this long. Positive, at most 1 minute.
     * Default: 3 seconds.
     */
    public Builder lockTimeout(Duration lockTimeout) {
      this.lockTimeout = lockTimeout;
      return this;
    }

    /**
     * The key of the database lock (PostgreSQL advisory lock) that lets one instance work at a
     * time; every instance maintaining the same table must use the same key. Default: a 64-bit hash
     * of the schema setting and the table name, so jobs for different tables never block each
     * other.
     */
    public Builder lockKey(long lockKey) {
      this.lockKey = lockKey;
      return this;
    }

    /**
     * The job's name in its thread name ({@code outbox-<name>-partitions}) and logs: 1 to 64
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
     * The clock that decides the current interval and which partitions are past the retention.
     * Default: {@link Clock#systemUTC()}.
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Returns the job, not yet started.
     *
     * @throws IllegalArgumentException naming the first invalid option and its allowed range
     * @throws UnsupportedOperationException if the dialect does not support partition maintenance
     */
    public PartitionMaintenance build() {
      Objects.requireNonNull(interval, "interval must not be null");
      Checks.inRange("partitionsAhead", partitionsAhead, 1, MAX_PARTITIONS_AHEAD);
      Checks.notNegative("retention", retention, MAX_RETENTION);
      checkRunPeriod();
      checkLockTimeout();
      Checks.name(name);
      Objects.requireNonNull(clock, "clock must not be null");
      PartitionSupport support = dialect.partitions();
      long key = lockKey != null ? lockKey : defaultLockKey(tables);
      MaintenanceSettings settings =
          new MaintenanceSettings(
              name,
              tables,
              interval,
              partitionsAhead,
              retention,
              runPeriod,
              lockTimeout,
              key,
              clock);
      OpenTelemetry otel = openTelemetry != null ? openTelemetry : GlobalOpenTelemetry.get();
      return new PartitionMaintenance(dataSource, dialect, support, settings, otel);
    }

    private void checkRunPeriod() {
      Objects.requireNonNull(runPeriod, "runPeriod must not be null");
      Duration max = interval.length().multipliedBy(partitionsAhead);
      if (runPeriod.isNegative() || runPeriod.isZero() || runPeriod.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            "runPeriod must be positive and at most interval × partitionsAhead ("
                + max
                + "), so partitions are ready before they are needed; was "
                + runPeriod);
      }
    }

    private void checkLockTimeout() {
      Objects.requireNonNull(lockTimeout, "lockTimeout must not be null");
      if (lockTimeout.toMillis() < 1 || lockTimeout.compareTo(MAX_LOCK_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "lockTimeout must be between 1 ms and " + MAX_LOCK_TIMEOUT + ", was " + lockTimeout);
      }
    }

    /** FNV-1a over the schema setting and table name: stable across JVMs and releases. */
    static long defaultLockKey(OutboxTables tables) {
      String id = "dev.outbox.partitions:" + tables.schema() + "." + tables.table();
      long hash = 0xcbf29ce484222325L;
      for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
        hash ^= b & 0xff;
        hash *= 0x100000001b3L;
      }
      return hash;
    }
  }
}
