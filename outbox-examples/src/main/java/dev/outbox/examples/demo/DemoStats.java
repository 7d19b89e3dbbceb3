package dev.outbox.examples.demo;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the demo counts: orders committed and rolled back (by the message id of their {@code
 * order.created} message), and what the sender reported for each delivery. Thread-safe.
 */
final class DemoStats {
  private final Set<UUID> placed = ConcurrentHashMap.newKeySet();
  private final Set<UUID> committed = ConcurrentHashMap.newKeySet();
  private final Set<UUID> rolledBack = ConcurrentHashMap.newKeySet();
  private final Set<UUID> delivered = ConcurrentHashMap.newKeySet();
  private final AtomicLong failedOrders = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final List<Long> lagMillis = Collections.synchronizedList(new ArrayList<>());

  /** An order's message was written; its transaction is not finished yet. */
  void placed(UUID messageId) {
    placed.add(messageId);
  }

  void committed(UUID messageId) {
    committed.add(messageId);
  }

  void rolledBack(UUID messageId) {
    rolledBack.add(messageId);
  }

  /** An order transaction failed for a reason the demo did not choose. */
  void failedOrder() {
    failedOrders.incrementAndGet();
  }

  /**
   * Records the sender's outcome for {@code r}, at {@code now}. A dead outcome is not counted here:
   * the dead-letter table counts every dead letter, those the relay makes after the last retry too.
   */
  void outcome(OutboxRecord r, Outcome o, Instant now) {
    switch (o.status()) {
      case SENT -> sent(r, now);
      case RETRY -> retried.incrementAndGet();
      case DEAD -> {}
    }
  }

  private void sent(OutboxRecord r, Instant now) {
    if (!delivered.add(r.messageId())) {
      duplicates.incrementAndGet(); // at least once: the message id lets consumers drop these
    }
    lagMillis.add(Math.max(0, Duration.between(r.createdAt(), now).toMillis()));
  }

  /**
   * The counts as of now.
   *
   * @param deadLettered the message ids in the dead-letter table now
   */
  Snapshot snapshot(Set<UUID> deadLettered) {
    Set<UUID> deliveredNow = Set.copyOf(delivered);
    Set<UUID> committedNow = Set.copyOf(committed);
    Set<UUID> rolledBackNow = Set.copyOf(rolledBack);
    List<Long> lags;
    synchronized (lagMillis) {
      lags = new ArrayList<>(lagMillis);
    }
    Collections.sort(lags);
    return new Snapshot(
        committedNow.size(),
        rolledBackNow.size(),
        failedOrders.get(),
        count(deliveredNow, committedNow),
        count(deliveredNow, rolledBackNow),
        deliveredNow.stream().filter(id -> !placed.contains(id)).count(),
        retried.get(),
        count(deadLettered, committedNow),
        committedNow.stream()
            .filter(id -> !deliveredNow.contains(id) && !deadLettered.contains(id))
            .count(),
        duplicates.get(),
        percentile(lags, 50),
        percentile(lags, 99),
        lags.isEmpty() ? 0 : lags.get(lags.size() - 1));
  }

  private static long count(Set<UUID> delivered, Set<UUID> of) {
    return of.stream().filter(delivered::contains).count();
  }

  private static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index));
  }

  /**
   * The counts at one moment.
   *
   * @param committed orders committed
   * @param rolledBack orders rolled back on purpose
   * @param failedOrders order transactions that failed unexpectedly
   * @param delivered committed orders whose message was delivered
   * @param rolledBackDelivered rolled-back orders whose message was delivered (must stay 0)
   * @param earlier messages delivered that earlier runs of the demo had left behind
   * @param retried deliveries the sender reported for retry
   * @param dead committed orders whose message is in the dead-letter table
   * @param undelivered committed orders whose message is neither delivered nor dead: still pending
   * @param duplicates deliveries of a message that was delivered before, which at least once allows
   *     (a key's later messages behind a failed one in the same batch, a lost outcome); consumers
   *     drop them by the message id
   * @param lagP50 median delivery lag (enlist to sent), ms
   * @param lagP99 99th percentile delivery lag, ms
   * @param lagMax longest delivery lag, ms
   */
  record Snapshot(
      long committed,
      long rolledBack,
      long failedOrders,
      long delivered,
      long rolledBackDelivered,
      long earlier,
      long retried,
      long dead,
      long undelivered,
      long duplicates,
      long lagP50,
      long lagP99,
      long lagMax) {

    /**
     * Whether every committed order's message was delivered or dead-lettered (never lost), and no
     * rolled-back one's was delivered.
     */
    boolean consistent() {
      return undelivered == 0 && rolledBackDelivered == 0;
    }

    String progressLine(Duration elapsed) {
      return String.format(
          "[demo] %4ds  committed %d  rolled back %d  delivered %d  retried %d  dead %d"
              + "  lag p50 %d ms",
          elapsed.toSeconds(), committed, rolledBack, delivered, retried, dead, lagP50);
    }

    /** The line a script or test parses. */
    String summaryLine() {
      return String.format(
          "SUMMARY committed=%d rolled_back=%d delivered=%d retried=%d dead=%d undelivered=%d"
              + " duplicates=%d rolled_back_delivered=%d failed_orders=%d lag_p50_ms=%d"
              + " lag_p99_ms=%d lag_max_ms=%d",
          committed,
          rolledBack,
          delivered,
          retried,
          dead,
          undelivered,
          duplicates,
          rolledBackDelivered,
          failedOrders,
          lagP50,
          lagP99,
          lagMax);
    }
  }
}
