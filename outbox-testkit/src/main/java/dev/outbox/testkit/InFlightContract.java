package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.spi.ClaimRequest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several batches in flight per relay ({@code OutboxRelay.Builder#maxBatchesInFlight}): batches
 * that finish out of order keep per-key order and lose nothing, a message is never in two sends at
 * once, close waits for every batch in flight, and a relay killed with batches in flight loses
 * nothing. Payloads are {@code "<sequence within the key>"}.
 */
public abstract class InFlightContract extends OutboxContractSupport {
  private ScheduledExecutorService broker;

  @BeforeEach
  void startBroker() {
    broker = Executors.newScheduledThreadPool(4);
  }

  @AfterEach
  void stopBroker() {
    broker.shutdownNow();
  }

  /**
   * A broker that answers each batch after a random delay of up to {@code maxDelayMillis}, so
   * batches finish in any order. It records per key the sequence numbers handed to it, and every
   * message handed over while an earlier send of it had not finished.
   */
  private final class SlowBroker implements Sender {
    final Map<String, List<Integer>> delivered = new ConcurrentHashMap<>();
    final Set<Long> inSend = ConcurrentHashMap.newKeySet();
    final List<Long> sentTwiceAtOnce = new CopyOnWriteArrayList<>();
    final AtomicInteger handed = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    private final int maxDelayMillis;

    SlowBroker(int maxDelayMillis) {
      this.maxDelayMillis = maxDelayMillis;
    }

    @Override
    public CompletableFuture<List<Outcome>> send(List<OutboxRecord> batch) {
      for (OutboxRecord r : batch) {
        if (!inSend.add(r.id())) {
          sentTwiceAtOnce.add(r.id());
        }
        if (r.key() == null) {
          continue;
        }
        delivered
            .computeIfAbsent(String.valueOf(r.key()), k -> new CopyOnWriteArrayList<>())
            .add(Integer.parseInt(r.payloadAsString()));
      }
      handed.addAndGet(batch.size());
      batches.incrementAndGet();
      CompletableFuture<List<Outcome>> done = new CompletableFuture<>();
      broker.schedule(
          () -> {
            batch.forEach(r -> inSend.remove(r.id()));
            done.complete(Outcome.allSent(batch));
          },
          ThreadLocalRandom.current().nextInt(maxDelayMillis + 1),
          TimeUnit.MILLISECONDS);
      return done;
    }
  }

  private static void assertDeliveredOnceInOrder(Map<String, List<Integer>> delivered, int n) {
    List<Integer> expected = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    delivered.forEach(
        (key, seqs) -> assertThat(seqs).as("key %s, in order, once each", key).isEqualTo(expected));
  }

  /** Batches finishing out of order keep per-key order and nothing is in two sends at once. */
  @Test
  public final void batchesFinishingOutOfOrderKeepPerKeyOrderAndNothingIsInTwoSendsAtOnce()
      throws Exception {
    int keys = 40;
    int perKey = 50;
    enlistInterleaved(keys, perKey);
    SlowBroker broker = new SlowBroker(15);
    for (int i = 0; i < 3; i++) {
      closeAfterTest(
              relayBuilder(broker)
                  .name("pipelined-" + i)
                  .batchSize(25)
                  .maxBatchesInFlight(8)
                  .build())
          .start();
    }
    await("all sent")
        .atMost(Duration.ofSeconds(120))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == (long) keys * perKey);
    assertThat(broker.sentTwiceAtOnce).as("messages handed over while still in a send").isEmpty();
    assertThat(broker.delivered).hasSize(keys);
    assertDeliveredOnceInOrder(broker.delivered, perKey);
    assertThat(broker.handed).hasValue(keys * perKey);
  }

  /** Unordered batches overlap and every message is sent once. */
  @Test
  public final void unorderedBatchesOverlapAndEveryMessageIsSentOnce() throws Exception {
    enlistMany(1000, "t", null);
    SlowBroker broker = new SlowBroker(20);
    closeAfterTest(
            relayBuilder(broker)
                .ordering(dev.outbox.Ordering.NONE)
                .batchSize(20)
                .maxBatchesInFlight(6)
                .build())
        .start();
    await("all sent")
        .atMost(Duration.ofSeconds(60))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == 1000);
    assertThat(broker.sentTwiceAtOnce).isEmpty();
    assertThat(broker.handed).hasValue(1000);
  }

  /** Close waits for every batch in flight and acknowledges it. */
  @Test
  public final void closeWaitsForEveryBatchInFlightAndAcknowledgesIt() throws Exception {
    enlistMany(200, "t", null);
    BlockingSender held = new BlockingSender();
    OutboxRelay relay =
        relayBuilder(held)
            .ordering(dev.outbox.Ordering.NONE)
            .batchSize(10)
            .maxBatchesInFlight(4)
            .shutdownTimeout(Duration.ofSeconds(20))
            .build();
    relay.start();
    for (int i = 0; i < 4; i++) {
      assertThat(held.nextBatch(Duration.ofSeconds(10))).as("batch %d", i).hasSize(10);
    }
    assertThat(held.nextBatch(Duration.ofMillis(300))).as("no fifth batch in flight").isNull();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(relay::close);
    Thread.sleep(200);
    assertThat(closing).as("close waits for the batches in flight").isNotDone();
    held.release();
    closing.get(20, TimeUnit.SECONDS);
    assertThat(rowsWithStatus(1)).as("the four batches in flight, acknowledged").isEqualTo(40);
    assertThat(leasedRows()).as("no lease left behind").isZero();
  }

  /** Batches that finish together are acknowledged with each outcome in place. */
  @Test
  public final void batchesThatFinishTogetherAreAcknowledgedWithEachOutcomeInPlace()
      throws Exception {
    enlistMany(40, "t", null);
    // Of every ten messages (by id): one dead, two retried, the rest sent.
    BlockingSender held =
        new BlockingSender()
            .answering(
                r ->
                    r.id() % 10 == 0
                        ? Outcome.dead(r, "rejected")
                        : r.id() % 10 < 3
                            ? Outcome.retry(r, new IllegalStateException("later"))
                            : Outcome.sent(r));
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(held)
                .ordering(dev.outbox.Ordering.NONE)
                .batchSize(10)
                .maxBatchesInFlight(4)
                .backoff(dev.outbox.Backoff.fixed(Duration.ofHours(1)))
                .build());
    relay.start();
    for (int i = 0; i < 4; i++) {
      assertThat(held.nextBatch(Duration.ofSeconds(10))).as("batch %d", i).hasSize(10);
    }
    held.release(); // all four finish at once and are acknowledged together
    await("every batch acknowledged")
        .atMost(Duration.ofSeconds(20))
        .until(() -> unchecked(this::leasedRows) == 0);
    assertThat(deadRows()).isEqualTo(4);
    assertThat(rowsWithStatus(1)).isEqualTo(28);
    assertThat(
            queryLong(
                "SELECT count(*) FROM "
                    + messageTable()
                    + " WHERE status = 0 AND last_error IS NOT NULL AND attempts = 1"))
        .as("retried, due in an hour")
        .isEqualTo(8);
  }

  /** A relay killed with batches in flight loses nothing and keeps the order. */
  @Test
  public final void aRelayKilledWithBatchesInFlightLosesNothingAndKeepsTheOrder() throws Exception {
    enlistInterleaved(10, 20);
    Process child = RelayProcess.startPipelined(db, dialect, tables, 4);
    try {
      RelayProcess.awaitClaims(child, 4);
    } finally {
      RelayProcess.kill(child);
    }
    long leased = leasedRows();
    assertThat(leased).as("four batches of 10 left leased by the killed relay").isEqualTo(40);
    SlowBroker broker = new SlowBroker(5);
    OutboxRelay survivor = closeAfterTest(relayBuilder(broker).name("survivor").build());
    clock.advance(RelayProcess.LEASE.plusMinutes(1));
    survivor.start();
    await("all sent")
        .atMost(Duration.ofSeconds(60))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == 200);
    assertDeliveredOnceInOrder(broker.delivered, 20);
  }

  /** An unordered claim after an id takes only the messages above it. */
  @Test
  public final void anUnorderedClaimAfterAnIdTakesOnlyTheMessagesAboveIt() throws Exception {
    enlistMany(30, "t", null);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(queryLong("SELECT id FROM " + messageTable() + " ORDER BY id LIMIT 1 OFFSET " + i));
    }
    Instant now = clock.instant();
    Instant until = now.plus(Duration.ofMinutes(1));
    try (Connection c = dataSource.getConnection()) {
      List<OutboxRecord> after =
          dialect
              .claim(
                  c, tables, ClaimRequest.unordered(10, now, UUID.randomUUID(), until, ids.get(14)))
              .records();
      assertThat(after).extracting(OutboxRecord::id).containsExactlyElementsOf(ids.subList(15, 25));
      List<OutboxRecord> rest =
          dialect
              .claim(c, tables, ClaimRequest.unordered(100, now, UUID.randomUUID(), until))
              .records();
      List<Long> expected = new ArrayList<>(ids.subList(0, 15));
      expected.addAll(ids.subList(25, 30));
      assertThat(rest)
          .as("from the oldest, past the leased ones")
          .extracting(OutboxRecord::id)
          .containsExactlyElementsOf(expected);
    }
  }

  /**
   * A relay with batches in flight continues each unordered claim after the last id it claimed, and
   * starts over from the oldest at least once a second: a message retried while the backlog keeps
   * every claim full is claimed again long before the backlog's end. The sender holds each batch
   * for 20 ms and two are in flight, so the drain takes four seconds or more.
   */
  @Test
  public final void aRetryBelowTheCursorIsClaimedAgainWhileEveryClaimComesBackFull()
      throws Exception {
    int total = 4000;
    enlistMany(total, "t", null);
    long first = queryLong("SELECT min(id) FROM " + messageTable());
    AtomicInteger handed = new AtomicInteger();
    AtomicInteger resentAfter = new AtomicInteger(-1);
    Sender sender =
        batch -> {
          int before = handed.getAndAdd(batch.size());
          List<Outcome> outcomes = new ArrayList<>(batch.size());
          for (OutboxRecord r : batch) {
            if (r.id() == first && r.attempt() == 1) {
              outcomes.add(Outcome.retry(r, new IllegalStateException("once")));
            } else {
              if (r.id() == first) {
                resentAfter.set(before);
              }
              outcomes.add(Outcome.sent(r));
            }
          }
          CompletableFuture<List<Outcome>> done = new CompletableFuture<>();
          broker.schedule(() -> done.complete(outcomes), 20, TimeUnit.MILLISECONDS);
          return done;
        };
    closeAfterTest(
            relayBuilder(sender)
                .ordering(dev.outbox.Ordering.NONE)
                .batchSize(10)
                .maxBatchesInFlight(2)
                .backoff(dev.outbox.Backoff.fixed(Duration.ZERO))
                .build())
        .start();
    await("all sent")
        .atMost(Duration.ofSeconds(120))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == total);
    assertThat(resentAfter.get())
        .as("messages handed over before the retried one came round again (of %d)", total)
        .isBetween(0, total * 3 / 4);
  }
}
