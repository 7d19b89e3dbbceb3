package dev.outbox.spring;

import dev.outbox.JdbcOutbox;
import dev.outbox.OnDuplicate;
import dev.outbox.Ordering;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionInterval;
import dev.outbox.PartitionMaintenance;
import java.time.Duration;

/**
 * The settings of one outbox: its database and tables, idempotent enlists, migrations, relay and
 * partition maintenance. {@link OutboxProperties} holds them for the application's outbox ({@code
 * outbox.*}), {@link OutboxProperties.Instance} for each of several ({@code
 * outbox.instances.NAME.*}). Every default is the core library's.
 */
public class OutboxSettings {
  /** The database: auto (from the DataSource's product name), postgresql or mysql. */
  private DatabaseKind database = DatabaseKind.AUTO;

  /** Schema (MySQL: database) of the outbox tables; the connection's current one if unset. */
  private String schema;

  /** Name of the message table; the other tables are named after it. */
  private String table = OutboxTables.DEFAULT_TABLE;

  /** Largest payload accepted at enlist, in bytes. */
  private int maxPayloadBytes = JdbcOutbox.DEFAULT_MAX_PAYLOAD_BYTES;

  private final Migrations migrations = new Migrations();
  private final Postgres postgres = new Postgres();
  private final Relay relay = new Relay();
  private final Partitions partitions = new Partitions();
  private final Idempotency idempotency = new Idempotency();

  /** The database behind the outbox's DataSource. */
  public enum DatabaseKind {
    /** Decided from the DataSource's product name at start-up. */
    AUTO,
    /** PostgreSQL, with outbox-postgres. */
    POSTGRESQL,
    /** MySQL 8.0+ or MariaDB 10.6+, with outbox-mysql. */
    MYSQL
  }

  public DatabaseKind getDatabase() {
    return database;
  }

  public void setDatabase(DatabaseKind database) {
    this.database = database;
  }

  public String getSchema() {
    return schema;
  }

  public void setSchema(String schema) {
    this.schema = schema;
  }

  public String getTable() {
    return table;
  }

  public void setTable(String table) {
    this.table = table;
  }

  public int getMaxPayloadBytes() {
    return maxPayloadBytes;
  }

  public void setMaxPayloadBytes(int maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  public Migrations getMigrations() {
    return migrations;
  }

  public Postgres getPostgres() {
    return postgres;
  }

  public Relay getRelay() {
    return relay;
  }

  public Partitions getPartitions() {
    return partitions;
  }

  public Idempotency getIdempotency() {
    return idempotency;
  }

  /**
   * {@code outbox.idempotency.*}: what an enlist does with a message whose idempotency key the
   * outbox has seen ({@code OutboxMessage.Builder.idempotencyKey}).
   */
  public static class Idempotency {
    /**
     * How long an idempotency key is remembered (at least this long, at most twice as long), from
     * 1s to 366d; every outbox writing to one table needs the same window.
     */
    private Duration window = JdbcOutbox.DEFAULT_IDEMPOTENCY_WINDOW;

    /**
     * What an enlist does with a message whose key was seen within the window: return-first (write
     * nothing, return the first message's id) or refuse (throw DuplicateMessageException).
     */
    private OnDuplicate onDuplicate = OnDuplicate.RETURN_FIRST;

    public Duration getWindow() {
      return window;
    }

    public void setWindow(Duration window) {
      this.window = window;
    }

    public OnDuplicate getOnDuplicate() {
      return onDuplicate;
    }

    public void setOnDuplicate(OnDuplicate onDuplicate) {
      this.onDuplicate = onDuplicate;
    }
  }

  /** {@code outbox.migrations.*}: the outbox's own Flyway migrations at start-up. */
  public static class Migrations {
    /**
     * Whether to create or upgrade the outbox tables at start-up, through the outbox's own Flyway
     * history table (never the application's). Turn off when the tables are migrated at deploy.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** {@code outbox.postgres.*}: PostgreSQL only. */
  public static class Postgres {
    /**
     * Whether enlisting queues a NOTIFY and relays LISTEN, so relays in other JVMs wake at once.
     * Turn off behind PgBouncer in transaction mode.
     */
    private boolean notifications = true;

    public boolean isNotifications() {
      return notifications;
    }

    public void setNotifications(boolean notifications) {
      this.notifications = notifications;
    }
  }

  /** {@code outbox.relay.*}: the relay this application runs, when it has a Sender bean. */
  public static class Relay {
    /** Whether to run a relay (it needs a Sender bean). */
    private boolean enabled = true;

    /** The relay's name, in thread names, logs and metrics. */
    private String name = OutboxRelay.Builder.DEFAULT_NAME;

    /** Most messages claimed per batch. */
    private int batchSize = OutboxRelay.Builder.DEFAULT_BATCH_SIZE;

    /** Most batches handed to the sender before the earliest is acknowledged. */
    private int maxBatchesInFlight = OutboxRelay.Builder.DEFAULT_MAX_BATCHES_IN_FLIGHT;

    /** How long an idle relay waits before it looks again (a local commit wakes it at once). */
    private Duration pollInterval = OutboxRelay.Builder.DEFAULT_POLL_INTERVAL;

    /** How long to wait before the next claim while messages arrive fast; 0 for none. */
    private Duration linger = OutboxRelay.Builder.DEFAULT_LINGER;

    /** How long a claim is held; longer than send-timeout. */
    private Duration leaseDuration = OutboxRelay.Builder.DEFAULT_LEASE_DURATION;

    /** How long the sender may take for a batch before its messages are retried. */
    private Duration sendTimeout = OutboxRelay.Builder.DEFAULT_SEND_TIMEOUT;

    /** Attempts before a message is dead-lettered. */
    private int maxAttempts = OutboxRelay.Builder.DEFAULT_MAX_ATTEMPTS;

    /** Retry until sent; only a dead outcome dead-letters (overrides max-attempts). */
    private boolean retryForever = false;

    /** Attempts after which a failing message is logged at WARN. */
    private int warnAfterAttempts = OutboxRelay.Builder.DEFAULT_WARN_AFTER_ATTEMPTS;

    /** Per-key ordering (per-key) or none, for raw throughput. */
    private Ordering ordering = Ordering.PER_KEY;

    /** How long stopping waits for the batches in flight. */
    private Duration shutdownTimeout = OutboxRelay.Builder.DEFAULT_SHUTDOWN_TIMEOUT;

    /** The first pause when the broker is away. */
    private Duration brokerPause = OutboxRelay.Builder.DEFAULT_BROKER_PAUSE;

    /** The longest pause when the broker stays away. */
    private Duration maxBrokerPause = OutboxRelay.Builder.DEFAULT_MAX_BROKER_PAUSE;

    private final Backoff backoff = new Backoff();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public int getBatchSize() {
      return batchSize;
    }

    public void setBatchSize(int batchSize) {
      this.batchSize = batchSize;
    }

    public int getMaxBatchesInFlight() {
      return maxBatchesInFlight;
    }

    public void setMaxBatchesInFlight(int maxBatchesInFlight) {
      this.maxBatchesInFlight = maxBatchesInFlight;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    public Duration getLinger() {
      return linger;
    }

    public void setLinger(Duration linger) {
      this.linger = linger;
    }

    public Duration getLeaseDuration() {
      return leaseDuration;
    }

    public void setLeaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
    }

    public Duration getSendTimeout() {
      return sendTimeout;
    }

    public void setSendTimeout(Duration sendTimeout) {
      this.sendTimeout = sendTimeout;
    }

    public int getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    public boolean isRetryForever() {
      return retryForever;
    }

    public void setRetryForever(boolean retryForever) {
      this.retryForever = retryForever;
    }

    public int getWarnAfterAttempts() {
      return warnAfterAttempts;
    }

    public void setWarnAfterAttempts(int warnAfterAttempts) {
      this.warnAfterAttempts = warnAfterAttempts;
    }

    public Ordering getOrdering() {
      return ordering;
    }

    public void setOrdering(Ordering ordering) {
      this.ordering = ordering;
    }

    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    public Duration getBrokerPause() {
      return brokerPause;
    }

    public void setBrokerPause(Duration brokerPause) {
      this.brokerPause = brokerPause;
    }

    public Duration getMaxBrokerPause() {
      return maxBrokerPause;
    }

    public void setMaxBrokerPause(Duration maxBrokerPause) {
      this.maxBrokerPause = maxBrokerPause;
    }

    public Backoff getBackoff() {
      return backoff;
    }
  }

  /** {@code outbox.relay.backoff.*}: exponential backoff with full jitter between retries. */
  public static class Backoff {
    /** The largest delay after the first failed attempt. */
    private Duration initial = Duration.ofSeconds(1);

    /** The cap of the delay. */
    private Duration max = Duration.ofMinutes(5);

    public Duration getInitial() {
      return initial;
    }

    public void setInitial(Duration initial) {
      this.initial = initial;
    }

    public Duration getMax() {
      return max;
    }

    public void setMax(Duration max) {
      this.max = max;
    }
  }

  /** {@code outbox.partitions.*}: time-partition maintenance of the message table. */
  public static class Partitions {
    /** Whether this application runs partition maintenance (creates ahead, drops old ones). */
    private boolean enabled = false;

    /** The name of the maintenance job, in thread names, logs and metrics. */
    private String name = PartitionMaintenance.Builder.DEFAULT_NAME;

    /** The length of one partition: daily or hourly. */
    private PartitionInterval interval = PartitionMaintenance.Builder.DEFAULT_INTERVAL;

    /** How many intervals ahead partitions are created. */
    private int partitionsAhead = PartitionMaintenance.Builder.DEFAULT_PARTITIONS_AHEAD;

    /** How long delivered messages are kept before their partition may be dropped. */
    private Duration retention = PartitionMaintenance.Builder.DEFAULT_RETENTION;

    /** How often the job runs. */
    private Duration runPeriod = PartitionMaintenance.Builder.DEFAULT_RUN_PERIOD;

    /** The longest wait for a DDL lock before a run gives up until next time. */
    private Duration lockTimeout = PartitionMaintenance.Builder.DEFAULT_LOCK_TIMEOUT;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public PartitionInterval getInterval() {
      return interval;
    }

    public void setInterval(PartitionInterval interval) {
      this.interval = interval;
    }

    public int getPartitionsAhead() {
      return partitionsAhead;
    }

    public void setPartitionsAhead(int partitionsAhead) {
      this.partitionsAhead = partitionsAhead;
    }

    public Duration getRetention() {
      return retention;
    }

    public void setRetention(Duration retention) {
      this.retention = retention;
    }

    public Duration getRunPeriod() {
      return runPeriod;
    }

    public void setRunPeriod(Duration runPeriod) {
      this.runPeriod = runPeriod;
    }

    public Duration getLockTimeout() {
      return lockTimeout;
    }

    public void setLockTimeout(Duration lockTimeout) {
      this.lockTimeout = lockTimeout;
    }
  }
}
