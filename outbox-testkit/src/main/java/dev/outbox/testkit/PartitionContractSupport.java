package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.MaintenanceResult;
import dev.outbox.MaintenanceResult.Created;
import dev.outbox.MaintenanceResult.Status;
import dev.outbox.OutboxMessage;
import dev.outbox.PartitionInterval;
import dev.outbox.PartitionMaintenance;
import dev.outbox.spi.Partition;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * What the partition maintenance contracts need: a job builder on this test's table with a clock at
 * a fixed instant, and helpers that write rows with a chosen {@code created_at} and state (so no
 * test sleeps through a retention) and read the partitions back from the catalog; and the scenarios
 * every database's partition tests run the same way, given how that database shows a session
 * waiting for the table lock.
 */
public abstract class PartitionContractSupport extends OutboxContractSupport {

  /** How long a test waits for a background step; generous, since the machine may be busy. */
  protected static final Duration WAIT = Duration.ofSeconds(30);

  /** A fixed "now" for the job, mid-morning UTC, far from any real partition of the table. */
  protected static final Instant NOW = Instant.parse("2031-05-20T10:30:00Z");

  /** How a test row stands. */
  protected enum RowState {
    /** status 1. */
    SENT,
    /** status 0, due. */
    PENDING,
    /** status 0, claimed by a relay whose lease has not ended. */
    LEASED,
    /** status 0, failed once and waiting for its backoff. */
    RETRY_WAITING
  }

  /** A maintenance builder for this test's table and a clock at {@link #NOW}. */
  protected PartitionMaintenance.Builder maintenanceBuilder() {
    clock = new MutableClock(NOW);
    return PartitionMaintenance.builder(dataSource, dialect)
        .tables(tables)
        .clock(clock)
        .lockTimeout(Duration.ofSeconds(10))
        .lockKey(UUID.randomUUID().getMostSignificantBits());
  }

  /** Builds a job with {@link #maintenanceBuilder()} and closes it after the test. */
  protected PartitionMaintenance maintenance() {
    return closeAfterTest(maintenanceBuilder().build());
  }

  /**
   * Inserts one message directly, with the given {@code created_at} and state; returns its message
   * id. Portable SQL; values are bound through {@link TestDatabase#bindUuid} and {@link
   * TestDatabase#bindInstant}, which each database module adapts to its column types.
   */
  protected UUID insertMessage(Instant createdAt, RowState state) throws SQLException {
    UUID id = UUID.randomUUID();
    boolean open = state != RowState.SENT;
    Instant next = state == RowState.PENDING ? createdAt : NOW.plus(Duration.ofMinutes(5));
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + messageTable()
                    + " (message_id, topic, payload, headers, created_at, status, attempts,"
                    + " next_attempt_at, lease_token, lease_until, sent_at)"
                    + " VALUES (?, 'retention', ?, '{}', ?, ?, ?, ?, ?, ?, ?)")) {
      db.bindUuid(ps, 1, id);
      ps.setBytes(2, ("m-" + state).getBytes(StandardCharsets.UTF_8));
      db.bindInstant(ps, 3, createdAt);
      ps.setInt(4, open ? 0 : 1);
      ps.setInt(5, state == RowState.PENDING ? 0 : 1);
      db.bindInstant(ps, 6, next);
      db.bindUuid(ps, 7, state == RowState.LEASED ? UUID.randomUUID() : null);
      db.bindInstant(ps, 8, state == RowState.LEASED ? next : null);
      db.bindInstant(ps, 9, open ? null : createdAt.plusSeconds(1));
      ps.executeUpdate();
    }
    return id;
  }

  /** Inserts one dead letter whose message was created at {@code createdAt}. */
  protected void insertDeadLetter(Instant createdAt) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + deadTable()
                    + " (original_id, message_id, topic, payload, headers, created_at, attempts,"
                    + " reason, dead_at) VALUES (1, ?, 'retention', ?, '{}', ?, 3, 'poison', ?)")) {
      db.bindUuid(ps, 1, UUID.randomUUID());
      ps.setBytes(2, new byte[] {1});
      db.bindInstant(ps, 3, createdAt);
      db.bindInstant(ps, 4, createdAt.plusSeconds(60));
      ps.executeUpdate();
    }
  }

  /** The partitions of the message table, from the catalog, through the dialect. */
  protected List<Partition> partitions() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return dialect.partitions().partitions(c, tables);
    }
  }

  /** The names of the partitions that are not the catch-all one. */
  protected List<String> rangePartitionNames() throws SQLException {
    return partitions().stream().filter(p -> !p.catchAll()).map(Partition::name).toList();
  }

  /** The message ids in the table, read as text, which every database's uuid column gives. */
  protected Set<UUID> messageIds() throws SQLException {
    Set<UUID> ids = new HashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT message_id FROM " + messageTable());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(UUID.fromString(rs.getString(1)));
      }
    }
    return ids;
  }

  /** The name of the partition of {@code start}'s interval. */
  protected String daily(Instant start) {
    return PartitionInterval.DAILY.partitionName(tables.table(), start);
  }

  /** {@link #NOW} minus {@code days} days. */
  protected static Instant daysAgo(int days) {
    return NOW.minus(Duration.ofDays(days));
  }

  /**
   * Runs the job on the real clock while three producers keep enlisting, and checks that the run
   * completed, moved out of the catch-all partition at least the 150 rows committed before it, and
   * that every committed message is in the table exactly once. The caller checks, with its own SQL,
   * that nothing is left in the catch-all partition.
   */
  protected void runTheJobWhileProducersKeepInserting() throws Exception {
    Set<UUID> committed = ConcurrentHashMap.newKeySet();
    committed.addAll(enlistMany(50, "before", null));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    ExecutorService producers = Executors.newFixedThreadPool(3);
    for (int i = 0; i < 3; i++) {
      producers.submit(() -> produce(stop, committed, producerFailure));
    }
    try {
      await("producers are inserting").atMost(WAIT).until(() -> committed.size() >= 150);
      PartitionMaintenance job =
          closeAfterTest(maintenanceBuilder().clock(Clock.systemUTC()).lockTimeout(WAIT).build());

      MaintenanceResult r = job.runOnce();

      int afterRun = committed.size();
      await("producers insert after the run")
          .atMost(WAIT)
          .until(() -> committed.size() >= afterRun + 100);
      assertThat(r.status()).isEqualTo(Status.COMPLETED);
      assertThat(r.created().stream().mapToLong(Created::rowsMoved).sum())
          .isGreaterThanOrEqualTo(150);
    } finally {
      stop.set(true);
      producers.shutdown();
      assertThat(producers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(producerFailure.get()).isNull();
    assertThat(messageIds()).isEqualTo(committed);
    assertThat(messageRows()).isEqualTo(committed.size());
  }

  private void produce(
      AtomicBoolean stop, Set<UUID> committed, AtomicReference<Throwable> failure) {
    while (!stop.get()) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        UUID id = outbox.add(c, OutboxMessage.of("during", null, "x"));
        c.commit();
        committed.add(id);
      } catch (SQLException | RuntimeException e) {
        failure.compareAndSet(null, e);
        return;
      }
    }
  }

  /**
   * While a transaction that wrote to the table stays open, a job with a lock timeout of 2 s gives
   * up, and a producer that queued behind the job's table lock gets through; once the transaction
   * ends, the next run completes. {@code jobWaitsForTheTable} tells, from the server's view of its
   * sessions, when the job waits for the table lock.
   */
  protected void assertALongTransactionMakesTheJobGiveUpWithoutStallingProducers(
      BooleanSupplier jobWaitsForTheTable) throws Exception {
    PartitionMaintenance job =
        closeAfterTest(maintenanceBuilder().lockTimeout(Duration.ofSeconds(2)).build());
    try (Connection longTx = dataSource.getConnection()) {
      longTx.setAutoCommit(false);
      outbox.add(longTx, OutboxMessage.of("long", null, "held open"));

      CompletableFuture<MaintenanceResult> run = CompletableFuture.supplyAsync(job::runOnce);
      await("the job queues for the table lock")
          .atMost(WAIT)
          .until(jobWaitsForTheTable::getAsBoolean);
      CompletableFuture<List<UUID>> producer =
          CompletableFuture.supplyAsync(() -> uncheckedEnlist("queued behind the job"));

      MaintenanceResult r = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(Status.LOCK_TIMEOUT);
      assertThat(r.detail()).contains("lock timeout of PT2S");
      assertThat(r.created()).isEmpty();
      assertThat(producer.get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("the producer got through while the long transaction is still open")
          .hasSize(1);
      longTx.commit();
    }
    MaintenanceResult next = job.runOnce();
    assertThat(next.status()).isEqualTo(Status.COMPLETED);
    assertThat(rangePartitionNames()).contains(daily(NOW));
  }

  private List<UUID> uncheckedEnlist(String payload) {
    try {
      return enlist(OutboxMessage.of("producer", null, payload));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * While one instance is mid-run (held up by an open transaction), a second instance with the same
   * lock key skips and changes nothing; the first completes once the transaction ends. {@code
   * jobWaitsForTheTable} tells, from the server's view of its sessions, when the first instance
   * waits for the table lock.
   */
  protected void assertASecondInstanceSkipsWhileTheFirstWorks(BooleanSupplier jobWaitsForTheTable)
      throws Exception {
    PartitionMaintenance first = maintenance();
    PartitionMaintenance second =
        closeAfterTest(maintenanceBuilder().lockKey(first.lockKey()).build());
    try (Connection longTx = dataSource.getConnection()) {
      longTx.setAutoCommit(false);
      outbox.add(longTx, OutboxMessage.of("long", null, "holds the first run up"));
      CompletableFuture<MaintenanceResult> working = CompletableFuture.supplyAsync(first::runOnce);
      await("the first instance is mid-run").atMost(WAIT).until(jobWaitsForTheTable::getAsBoolean);

      MaintenanceResult skipped = second.runOnce();

      assertThat(skipped.status()).isEqualTo(Status.SKIPPED);
      assertThat(skipped.created()).isEmpty();
      longTx.commit();
      MaintenanceResult done = working.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(done.status()).isEqualTo(Status.COMPLETED);
      assertThat(done.created()).isNotEmpty();
    }
  }
}
