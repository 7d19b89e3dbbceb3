package dev.outbox.inbox;

import dev.outbox.internal.Migrations;
import dev.outbox.internal.RelayMetrics;
import dev.outbox.spi.DedupRecord;
import dev.outbox.spi.DedupRing;
import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.DedupTable;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's counterpart of the outbox: remembers which message ids a consumer has processed,
 * in the consumer's own transaction, so that the effect of a message happens once however often the
 * broker delivers it. With the outbox on the producer side, the producer's transaction to the
 * consumer's transaction is effectively exactly once. Thread-safe; build one per table and share
 * it.
 *
 * <pre>{@code
 * Inbox inbox = Inbox.builder(dataSource, new PostgresDialect()).build();
 * inbox.migrate();                                   // creates outbox_inbox if needed
 *
 * // for each delivery, redeliveries included:
 * Optional<Order> applied = inbox.process("billing", messageId, tx -> {
 *   return insertInvoice(tx, order);                 // runs only the first time
 * });
 * // then acknowledge the delivery to the broker, whatever the result
 * }</pre>
 *
 * <p><b>Window.</b> A processed id is remembered for at least the {@linkplain Builder#window
 * window} {@code W} and at most {@code 2W} (see {@link DedupSupport} for why): a redelivery within
 * {@code W} of the first processing is always recognised; one later than {@code 2W} is treated as
 * new. Choose a window longer than the longest redelivery delay of the broker (a consumer group's
 * rebalance, a message parked in a retry queue). Every instance that shares a table must use the
 * same window, and their clocks must agree to well within it.
 *
 * <p><b>Retention.</b> The table is partitioned into four slots that rotate with the window; {@link
 * #expire()} empties the slots whose records have all expired. Call it periodically, for example
 * hourly (at least once per window): until it runs, expired records take room but are never taken
 * for live ones.
 *
 * <p>Metrics on the {@code dev.outbox} meter, attribute {@value #CONSUMER_ATTRIBUTE}: {@code
 * outbox.inbox.processed} counts message ids seen for the first time and {@code
 * outbox.inbox.duplicates} those seen again.
 */
public final class Inbox {
  private static final Logger log = LoggerFactory.getLogger(Inbox.class);

  /** Default table name. */
  public static final String DEFAULT_TABLE = "outbox_inbox";

  /** Default window: 7 days. */
  public static final Duration DEFAULT_WINDOW = Duration.ofDays(7);

  /** The attribute that names the consumer on the inbox's counters. */
  public static final String CONSUMER_ATTRIBUTE = "consumer";

  private static final AttributeKey<String> CONSUMER = AttributeKey.stringKey(CONSUMER_ATTRIBUTE);

  private final DataSource dataSource;
  private final OutboxDialect dialect;
  private final DedupSupport dedup;
  private final DedupTable table;
  private final Duration window;
  private final Clock clock;
  private final LongCounter processed;
  private final LongCounter duplicates;

  private Inbox(Builder b) {
    this.dataSource = b.dataSource;
    this.dialect = b.dialect;
    this.dedup = b.dialect.dedup();
    this.table = b.table;
    this.window = b.window;
    this.clock = b.clock;
    Meter meter =
        (b.openTelemetry == null ? GlobalOpenTelemetry.get() : b.openTelemetry)
            .getMeter(RelayMetrics.SCOPE);
    this.processed =
        meter
            .counterBuilder("outbox.inbox.processed")
            .setDescription("Message ids a consumer recorded for the first time")
            .setUnit("{message}")
            .build();
    this.duplicates =
        meter
            .counterBuilder("outbox.inbox.duplicates")
            .setDescription("Deliveries of a message id the consumer had already processed")
            .setUnit("{message}")
            .build();
  }

  /**
   * Starts configuring an inbox whose table lives in {@code dataSource}'s database.
   *
   * @param dataSource where {@link #process}, {@link #expire()} and {@link #migrate()} get their
   *     connections ({@link #firstTime} uses the caller's)
   * @param dialect the database's dialect; it must support dedup tables
   */
  public static Builder builder(DataSource dataSource, OutboxDialect dialect) {
    return new Builder(dataSource, dialect);
  }

  /**
   * Creates or upgrades the inbox table with the Flyway migrations shipped in the dialect's module,
   * creating the schema if it does not exist. The migrations keep their own history table ({@code
   * <table>_schema_history}), apart from the application's and the outbox's.
   *
   * @return how many migrations were applied (0 when already up to date)
   * @throws dev.outbox.MigrationFailedException if Flyway fails, the database cannot be reached, or
   *     it is not one the dialect supports
   */
  public int migrate() {
    return Migrations.migrate(
        dataSource,
        dialect,
        new Migrations.Target(
            "inbox table " + table,
            dialect.inboxMigrationLocation(),
            table.schema(),
            table.historyTable(),
            table.placeholders()));
  }

  /**
   * Records that {@code consumer} is processing {@code messageId}, in the caller's transaction on
   * {@code tx}, and says whether this is the first time. Apply the message's effect in the same
   * transaction only when it returns true, then commit either way. If the transaction rolls back,
   * the record goes with it and the next delivery is a first time again. Never commits, rolls back
   * or closes {@code tx}.
   *
   * <p>A concurrent call for the same consumer and id, on another connection, waits here until this
   * transaction ends, then returns false if it committed. Under PostgreSQL's REPEATABLE READ or
   * SERIALIZABLE it fails instead with a {@linkplain InboxException#isTransient() transient} {@link
   * InboxException} (a serialization failure): roll back and handle the delivery again.
   *
   * <p>The counters are incremented at the call, including for transactions that later roll back.
   *
   * @param tx the consumer's connection, in a transaction
   * @param consumer the consumer: ids are unique per consumer; 1 to 255 characters
   * @param messageId the message id, such as the outbox's {@code message-id}; 1 to 255 characters
   * @return true the first time, false for a duplicate
   * @throws IllegalArgumentException if the consumer or the id is blank or longer than 255
   * @throws IllegalStateException if {@code tx} is in auto-commit mode
   * @throws InboxException if the database fails; roll the transaction back
   */
  public boolean firstTime(Connection tx, String consumer, String messageId) {
    Objects.requireNonNull(tx, "connection must not be null");
    checkIds(consumer, messageId);
    requireTransaction(tx);
    boolean first = record(tx, consumer, messageId) == null;
    count(first, consumer);
    return first;
  }

  /**
   * Processes a delivery in a transaction of its own: opens a connection from the data source,
   * begins a transaction, records the id as {@link #firstTime} does, runs {@code effect} in the
   * same transaction only the first time, and commits. When anything throws (the effect, the
   * database, the commit) the transaction is rolled back, so the id is not recorded and a
   * redelivery runs the effect again; the exception is thrown on, the effect's as it is. The
   * transaction runs at the data source's default isolation level.
   *
   * <p>The counters are incremented after the commit.
   *
   * @return the effect's result the first time; empty for a duplicate (and when the effect returned
   *     null: an effect that needs to tell the two apart returns a value)
   * @throws E what the effect throws
   * @throws IllegalArgumentException if the consumer or the id is blank or longer than 255
   * @throws InboxException if the database fails; the delivery may be retried when it {@linkplain
   *     InboxException#isTransient() is transient}
   */
  public <R, E extends Exception> Optional<R> process(
      String consumer, String messageId, Effect<R, E> effect) throws E {
    checkIds(consumer, messageId);
    Objects.requireNonNull(effect, "effect must not be null");
    Connection c = open();
    try {
      return processIn(c, consumer, messageId, effect);
    } finally {
      close(c);
    }
  }

  private <R, E extends Exception> Optional<R> processIn(
      Connection c, String consumer, String messageId, Effect<R, E> effect) throws E {
    boolean autoCommit = beginTransaction(c);
    try {
      boolean first = record(c, consumer, messageId) == null;
      R result = first ? effect.apply(c) : null;
      commit(c, consumer, messageId);
      count(first, consumer);
      return first ? Optional.ofNullable(result) : Optional.empty();
    } catch (Throwable t) {
      Jdbc.rollbackQuietly(c, t);
      throw t;
    } finally {
      Jdbc.restoreAutoCommit(c, autoCommit);
    }
  }

  /**
   * Retention: empties the table's slots whose records have all expired, and returns how many
   * records it removed. Waits only briefly for a slot's locks and leaves it for the next run when
   * they are busy, so consumers are never stalled for long. Call it periodically, for example
   * hourly from a scheduled executor, and at least once per window.
   *
   * @throws InboxException if the database fails
   */
  public int expire() {
    Connection c = open();
    try {
      c.setAutoCommit(true);
      int removed = dedup.expire(c, table, clock.instant());
      log.debug("Inbox table {}: retention removed {} expired records", table, removed);
      return removed;
    } catch (SQLException e) {
      throw new InboxException(
          "expiring inbox table " + table + " failed: " + e.getMessage(),
          e,
          dialect.isTransient(e));
    } finally {
      close(c);
    }
  }

  /** The inbox table. */
  public DedupTable table() {
    return table;
  }

  /** The window: how long a processed id is remembered at least (and at most twice as long). */
  public Duration window() {
    return window;
  }

  private static void checkIds(String consumer, String messageId) {
    DedupRing.checkText("consumer", consumer);
    DedupRing.checkText("messageId", messageId);
  }

  private DedupRecord record(Connection tx, String consumer, String messageId) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    try {
      return dedup.recordOnce(tx, table, consumer, messageId, UUID.randomUUID(), now, window);
    } catch (SQLException e) {
      throw new InboxException(
          "could not record message id '"
              + messageId
              + "' of consumer '"
              + consumer
              + "' in inbox table "
              + table
              + "; roll the transaction back: "
              + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
  }

  private void count(boolean first, String consumer) {
    (first ? processed : duplicates).add(1, Attributes.of(CONSUMER, consumer));
  }

  private void requireTransaction(Connection tx) {
    boolean autoCommit;
    try {
      autoCommit = tx.getAutoCommit();
    } catch (SQLException e) {
      throw new InboxException(
          "could not read the connection's auto-commit mode: " + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
    if (autoCommit) {
      throw new IllegalStateException(
          "the connection is in auto-commit mode, so the inbox record would not be atomic with"
              + " the message's effect; call setAutoCommit(false) and commit after the effect");
    }
  }

  private Connection open() {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw new InboxException(
          "could not get a connection for inbox table " + table + ": " + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
  }

  private boolean beginTransaction(Connection c) {
    try {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      return autoCommit;
    } catch (SQLException e) {
      throw new InboxException(
          "could not begin a transaction for inbox table " + table + ": " + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
  }

  private void commit(Connection c, String consumer, String messageId) {
    try {
      c.commit();
    } catch (SQLException e) {
      throw new InboxException(
          "committing message id '"
              + messageId
              + "' of consumer '"
              + consumer
              + "' failed; it is not recorded: "
              + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
  }

  private static void close(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing an inbox connection failed", e);
    }
  }

  /**
   * A message's effect, run in the inbox's transaction by {@link #process}.
   *
   * @param <R> what it returns
   * @param <E> what it may throw, such as {@link SQLException}
   */
  @FunctionalInterface
  public interface Effect<R, E extends Exception> {
    /** Applies the effect through {@code tx}; must not commit, roll back or close it. */
    R apply(Connection tx) throws E;
  }

  /** Configures an {@link Inbox}; not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private final OutboxDialect dialect;
    private DedupTable table = new DedupTable(null, DEFAULT_TABLE);
    private Duration window = DEFAULT_WINDOW;
    private Clock clock = Clock.systemUTC();
    private OpenTelemetry openTelemetry;

    private Builder(DataSource dataSource, OutboxDialect dialect) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
      this.dialect = Objects.requireNonNull(dialect, "dialect must not be null");
    }

    /**
     * The table, in the connection's current schema. Default: {@value Inbox#DEFAULT_TABLE}.
     *
     * @throws IllegalArgumentException if it is not a plain identifier of at most 40 characters
     */
    public Builder table(String table) {
      return table(null, table);
    }

    /**
     * The table and its schema (MySQL: database); a null schema means the connection's current one.
     *
     * @throws IllegalArgumentException if a name is not a plain identifier or is too long
     */
    public Builder table(String schema, String table) {
      this.table = new DedupTable(schema, table);
      return this;
    }

    /**
     * How long a processed message id is remembered: at least this long and at most twice as long
     * after it was processed. From 1 second to 366 days, whole milliseconds. Default: 7 days.
     *
     * @throws IllegalArgumentException if it is out of range
     */
    public Builder window(Duration window) {
      this.window = DedupRing.checkWindow(window);
      return this;
    }

    /** The clock records are stamped with and expire by. Default: the system clock, UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /** Where the counters are recorded. Default: {@link GlobalOpenTelemetry}. */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry must not be null");
      return this;
    }

    /**
     * Builds the inbox.
     *
     * @throws UnsupportedOperationException if the dialect does not support dedup tables
     */
    public Inbox build() {
      return new Inbox(this);
    }
  }
}
