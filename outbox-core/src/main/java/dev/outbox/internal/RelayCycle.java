package dev.outbox.internal;

import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.RelayException;
import dev.outbox.Sender;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.KeyWalk;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * One claim-send-ack cycle. Claim and ack are short transactions of their own; no transaction or
 * connection is held while the sender runs, so a slow broker never holds row locks.
 */
public final class RelayCycle {
  private final DataSource dataSource;
  private final OutboxDialect dialect;
  private final RelaySettings settings;
  private final RelayMetrics metrics;
  private final BatchSender batchSender;
  private final Consumer<RelayException> report;
  private final RelayControl control;

  /** First pause before an acknowledgement that failed transiently is tried again. */
  static final Duration ACK_RETRY_MIN = Duration.ofMillis(50);

  /** Longest pause between attempts to acknowledge one batch. */
  static final Duration ACK_RETRY_MAX = Duration.ofSeconds(2);

  /** Where the next per-key claim starts, so that every key gets its turn. */
  private volatile String keyCursor;

  /**
   * Whether the next per-key claim without a cursor starts at a random key rather than the first
   * (see {@link KeyWalk#startBetween}): at start, after a claim that found nothing, and after one
   * that walked its bound of keys without filling its batch (the keys it met were held by other
   * relays), so that relays do not walk the keys behind one another, each reading past what the
   * others just leased. Keys skipped that way are the ones other relays are sending; the walk goes
   * round to them. While claims find messages, a claim that visited every key starts the next at
   * the first key, in one pass.
   */
  private volatile boolean freshStart = true;

  private volatile KeyWalk.Range keyRange;
  private volatile boolean keyRangeRead;
  private volatile long keyRangeReadAt;

  /** Flipped every claim: messages without a key and keyed runs take turns at the batch's head. */
  private volatile boolean unkeyedFirst;

  /**
   * How long an unordered claim may continue after the last id it took before it starts over from
   * the oldest pending message. Continuing spares each claim reading past the rows this relay has
   * in flight (up to {@code maxBatchesInFlight} batches of leased rows, still in the pending
   * index); starting over picks up what became due below the cursor: retries, expired leases, and
   * transactions that committed after a message with a higher id was claimed.
   */
  static final Duration START_OVER = Duration.ofSeconds(1);

  /** How often a relay clears the flag of scheduled messages whose time has come. */
  static final Duration RELEASE_EVERY = Duration.ofMillis(200);

  /** The most scheduled messages one release clears; a full release is followed by another. */
  static final int RELEASE_LIMIT = 1000;

  /** When scheduled messages were last released, on the relay's clock; null for "never". */
  private volatile Instant releasedAt;

  /** Where the next unordered claim starts: after this id; 0 for the oldest. */
  private volatile long idCursor;

  /** When the unordered claim last started from the oldest message, on the nano clock. */
  private volatile long startedOverAt = System.nanoTime();

  /**
   * @param report told about failures the cycle survives: the sender's, and acknowledgements it
   *     tries again
   */
  public RelayCycle(
      DataSource dataSource,
      OutboxDialect dialect,
      Sender sender,
      RelaySettings settings,
      RelayMetrics metrics,
      RelayTracing tracing,
      Consumer<RelayException> report) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.settings = settings;
    this.metrics = metrics;
    this.batchSender = new BatchSender(sender, settings, metrics, tracing, report);
    this.report = report;
    this.control = RelayControl.of(dataSource, dialect, settings);
  }

  /** The relay's pause, heartbeat and lease-token source. */
  public RelayControl control() {
    return control;
  }

  /**
   * What one cycle did.
   *
   * @param claimed how many messages were claimed (0 when none was due)
   * @param claimAgain whether to claim again at once: the batch was full, or the claim stopped
   *     before looking at every candidate
   * @param brokerAway whether the batch failed as a whole because the broker was away; its messages
   *     were retried without counting the attempt
   */
  public record Result(int claimed, boolean claimAgain, boolean brokerAway) {}

  /**
   * Claims a batch, sends it and acknowledges the outcomes.
   *
   * @throws RelayException if the claim or the ack failed; claimed messages then stay leased until
   *     their lease expires and are retried
   * @throws InterruptedException if interrupted while waiting for the sender; the batch is left
   *     leased
   */
  public Result run() throws InterruptedException {
    return run(settings.batchSize());
  }

  /**
   * Claims at most {@code limit} messages, sends them and acknowledges the outcomes: a cycle with a
   * smaller batch than configured, for the probe after a pause.
   */
  public Result run(int limit) throws InterruptedException {
    Claimed claimed = claim(limit);
    if (claimed.records().isEmpty()) {
      return new Result(0, claimed.again(), false);
    }
    return finish(send(claimed));
  }

  /** A claimed batch: its records (possibly none), its lease and whether to claim again at once. */
  record Claimed(List<OutboxRecord> records, UUID token, Instant leaseUntil, boolean again) {}

  /** A claimed batch handed to the sender. */
  record Flight(Claimed claimed, BatchSender.InFlight sending) {}

  /**
   * Claims at most {@code limit} messages and leases them.
   *
   * @throws RelayException if the claim failed
   */
  Claimed claim(int limit) {
    UUID token = control.newToken();
    Instant now = settings.clock().instant().truncatedTo(ChronoUnit.MICROS);
    Instant leaseUntil = now.plus(settings.leaseDuration());
    // The paused topics are read on the claim's connection: a database that cannot be reached
    // fails the claim (and is reported) instead of only the pause read, which is forgiving.
    ClaimResult result =
        withConnection(
            "claim messages",
            c -> {
              Set<String> paused = control.pausedTopics(c);
              return paused.contains(AdminSupport.ALL_TOPICS)
                  ? null
                  : claim(c, token, now, leaseUntil, limit, paused);
            });
    if (result == null) {
      return new Claimed(List.of(), token, leaseUntil, false);
    }
    List<OutboxRecord> batch = result.records();
    if (!batch.isEmpty()) {
      metrics.claimed(batch);
      control.claimed(batch.size(), now);
    }
    return new Claimed(batch, token, leaseUntil, result.more() || batch.size() >= limit);
  }

  /** Hands a claimed, non-empty batch to the sender and returns at once. */
  Flight send(Claimed claimed) {
    return new Flight(claimed, batchSender.start(claimed.records()));
  }

  /**
   * Waits for a batch's outcomes and acknowledges them.
   *
   * @throws RelayException if the ack failed; the messages stay leased until the lease expires
   * @throws InterruptedException if interrupted while waiting for the sender or between attempts to
   *     acknowledge; the batch is left leased
   */
  Result finish(Flight flight) throws InterruptedException {
    return finishAll(List.of(flight)).get(0);
  }

  /**
   * Waits for the outcomes of {@code flights}, in order, and acknowledges them together (one
   * transaction where the dialect supports it, see {@link OutboxDialect#ackAll}).
   *
   * @return one result per flight, in order
   * @throws RelayException if the ack failed; the messages stay leased until their lease expires
   * @throws InterruptedException if interrupted while waiting for the sender or between attempts to
   *     acknowledge; the batches are left leased
   */
  List<Result> finishAll(List<Flight> flights) throws InterruptedException {
    try {
      return acknowledge(flights);
    } finally {
      for (Flight flight : flights) {
        control.finished(flight.claimed().records().size());
      }
    }
  }

  private List<Result> acknowledge(List<Flight> flights) throws InterruptedException {
    List<AckPlan> plans = new ArrayList<>(flights.size());
    List<AckBatch> acks = new ArrayList<>(flights.size());
    List<Boolean> away = new ArrayList<>(flights.size());
    Instant firstLeaseEnd = null;
    for (Flight flight : flights) {
      Claimed claimed = flight.claimed();
      BatchSender.Sent sent = flight.sending().await();
      AckPlan plan =
          AckPlan.of(
              claimed.records(),
              sent.outcomes(),
              sent.brokerAway(),
              sent.notHanded(),
              settings,
              settings.clock().instant());
      plans.add(plan);
      acks.add(plan.toBatch(claimed.token()));
      away.add(sent.brokerAway());
      if (firstLeaseEnd == null || claimed.leaseUntil().isBefore(firstLeaseEnd)) {
        firstLeaseEnd = claimed.leaseUntil();
      }
    }
    List<AckResult> written = ackWithinLease(acks, firstLeaseEnd);
    List<Result> results = new ArrayList<>(flights.size());
    for (int i = 0; i < flights.size(); i++) {
      Claimed claimed = flights.get(i).claimed();
      plans.get(i).record(written.get(i), claimed.leaseUntil(), metrics);
      boolean brokerAway = away.get(i);
      results.add(new Result(claimed.records().size(), claimed.again() && !brokerAway, brokerAway));
    }
    return results;
  }

  private ClaimResult claim(
      Connection c, UUID token, Instant now, Instant leaseUntil, int limit, Set<String> paused)
      throws SQLException {
    releaseScheduled(c, now);
    boolean perKey = settings.ordering() == Ordering.PER_KEY;
    boolean unkeyed = unkeyedFirst;
    unkeyedFirst = !unkeyed;
    long afterId = perKey ? 0 : afterId();
    String cursor = perKey ? keyCursor : null;
    if (perKey && cursor == null && freshStart) {
      cursor = KeyWalk.startBetween(keyRange(c), ThreadLocalRandom.current());
    }
    ClaimRequest request =
        new ClaimRequest(limit, now, token, leaseUntil, perKey, cursor, unkeyed, afterId, paused);
    ClaimResult result = dialect.claim(c, settings.tables(), request);
    // A walk that reached its bound on keys without filling the batch read past keys that other
    // relays hold: carrying on behind them would read past them again, so start somewhere else.
    boolean crowded = perKey && result.more() && result.records().size() < limit;
    keyCursor = crowded ? null : result.keyCursor();
    freshStart = result.records().isEmpty() || crowded;
    if (!perKey) {
      // A full batch: the next one continues after it. A short one reached the end: start over.
      List<OutboxRecord> records = result.records();
      idCursor = records.size() >= limit ? records.get(records.size() - 1).id() : 0;
    }
    return result;
  }

  /**
   * Clears the flag of scheduled messages that are due, at most every {@link #RELEASE_EVERY} (at
   * once again after a full release), so that the claim finds them. A relay that polls sends a
   * scheduled message within its poll interval after its time.
   */
  private void releaseScheduled(Connection c, Instant now) throws SQLException {
    Instant last = releasedAt;
    if (last != null && !now.isBefore(last) && now.isBefore(last.plus(RELEASE_EVERY))) {
      return;
    }
    int released = dialect.releaseScheduled(c, settings.tables(), now, RELEASE_LIMIT);
    releasedAt = released >= RELEASE_LIMIT ? null : now;
  }

  /** The pending keys' range, read again when it is {@link #START_OVER} old. */
  private KeyWalk.Range keyRange(Connection c) throws SQLException {
    long now = System.nanoTime();
    if (!keyRangeRead || now - keyRangeReadAt >= START_OVER.toNanos()) {
      keyRange = dialect.pendingKeyRange(c, settings.tables());
      keyRangeReadAt = now;
      keyRangeRead = true;
    }
    return keyRange;
  }

  /**
   * Where the next unordered claim starts; 0, and the clock reset, when it is time to start over.
   */
  private long afterId() {
    long cursor = idCursor;
    if (cursor != 0 && System.nanoTime() - startedOverAt < START_OVER.toNanos()) {
      return cursor;
    }
    startedOverAt = System.nanoTime();
    return 0;
  }

  /**
   * Acknowledges {@code batches}, trying again with a growing pause while the failure is transient
   * (the database restarting, a connection dropped) and the lease has time left, so that a short
   * outage does not leave the batch to be sent again when its lease expires. The lease's end is
   * measured on the relay clock when the ack starts and counted down in real time, so a clock that
   * stands still (in tests) cannot keep it retrying forever; with several batches the lease that
   * ends first bounds the retries.
   *
   * @throws RelayException the last failure, once it is permanent or the lease is nearly over
   */
  private List<AckResult> ackWithinLease(List<AckBatch> batches, Instant leaseUntil)
      throws InterruptedException {
    Duration left = Duration.between(settings.clock().instant(), leaseUntil);
    long deadline = System.nanoTime() + Math.max(0, left.toNanos());
    Duration pause = ACK_RETRY_MIN;
    while (true) {
      try {
        return ack(batches);
      } catch (RelayException e) {
        if (!e.isTransient() || System.nanoTime() + pause.toNanos() >= deadline) {
          throw e;
        }
        report.accept(e);
        Thread.sleep(pause.toMillis());
        Duration doubled = pause.multipliedBy(2);
        pause = doubled.compareTo(ACK_RETRY_MAX) < 0 ? doubled : ACK_RETRY_MAX;
      }
    }
  }

  private List<AckResult> ack(List<AckBatch> batches) {
    String what =
        batches.size() == 1 ? "acknowledge a batch" : "acknowledge " + batches.size() + " batches";
    return withConnection(what, c -> dialect.ackAll(c, settings.tables(), batches));
  }

  private <R> R withConnection(String what, Jdbc.SqlWork<R> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      return work.run(c);
    } catch (SQLException e) {
      throw new RelayException(
          "relay '" + settings.name() + "' could not " + what + ": " + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
  }
}
