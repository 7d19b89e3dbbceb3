package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Backoff;
import dev.outbox.Ordering;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Several relays on one table: no double-send, lease takeover after a crash, per-key order. */
public abstract class ConcurrencyContract extends OutboxContractSupport {

  /** Four relays drain ten thousand messages each exactly once never in flight twice. */
  @Test
  public final void fourRelaysDrainTenThousandMessagesEachExactlyOnceNeverInFlightTwice()
      throws Exception {
    List<UUID> enlisted = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      enlisted.addAll(enlistMany(1000, "bulk", null));
    }
    InFlightTracker tracker = new InFlightTracker();
    for (int i = 0; i < 4; i++) {
      HikariDataSource pool = closeAfterTest(db.dataSource("relay-" + i, 3));
      OutboxRelay relay =
          closeAfterTest(
              OutboxRelay.builder(pool, dialect, tracker)
                  .tables(tables)
                  .clock(clock)
                  .name("drain-" + i)
                  .pollInterval(Duration.ofMillis(50))
                  .build());
      relay.start();
    }
    await("all sent")
        .atMost(Duration.ofSeconds(120))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == 10_000);
    assertThat(tracker.violations).isEmpty();
    assertThat(tracker.deliveries.keySet()).containsExactlyInAnyOrderElementsOf(enlisted);
    assertThat(tracker.deliveries.values()).allMatch(n -> n.get() == 1);
  }

  /** Batch of a relay that died without acking is claimed again after the lease. */
  @Test
  public final void batchOfARelayThatDiedWithoutAckingIsClaimedAgainAfterTheLease()
      throws Exception {
    enlistMany(5, "t", null);
    BlockingSender hangs = new BlockingSender();
    OutboxRelay dying =
        relayBuilder(hangs)
            .name("dying")
            .leaseDuration(Duration.ofSeconds(60))
            .sendTimeout(Duration.ofSeconds(50))
            .shutdownTimeout(Duration.ZERO)
            .build();
    dying.start();
    assertThat(hangs.awaitBatch(Duration.ofSeconds(10))).hasSize(5);
    dying.close(); // interrupts the in-flight batch: nothing is acknowledged

    RecordingSender survivor = new RecordingSender();
    OutboxRelay other = relay(survivor);
    assertThat(other.runOnce()).as("still leased by the dead relay").isZero();
    clock.advance(Duration.ofSeconds(61));
    assertThat(other.runOnce()).isEqualTo(5);
    assertThat(survivor.received()).extracting(OutboxRecord::attempt).containsOnly(2);
    assertThat(rowsWithStatus(1)).isEqualTo(5);
  }

  /** Per-key order holds across four relays with random retries. */
  @Test
  public final void perKeyOrderHoldsAcrossFourRelaysWithRandomRetries() throws Exception {
    int keys = 100;
    int perKey = 20;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<OutboxMessage> round = new ArrayList<>();
      for (int seq = 0; seq < perKey; seq++) {
        for (int k = 0; k < keys; k++) {
          round.add(OutboxMessage.of("ordered", "key-" + k, Integer.toString(seq)));
        }
        outbox.addAll(c, round);
        round.clear();
        c.commit();
      }
    }
    Random random = new Random(42);
    Map<String, List<String>> seen = new ConcurrentHashMap<>();
    // Follows the Sender contract for runs: once a record of a key fails, the later records of
    // that key in the batch are not delivered but reported as retry.
    Sender sender =
        batch -> {
          List<Outcome> outcomes = new ArrayList<>();
          Set<String> failedKeys = new HashSet<>();
          for (OutboxRecord r : batch) {
            if (failedKeys.contains(r.key())) {
              outcomes.add(
                  Outcome.retry(r, new IOException("an earlier message of its key failed")));
              continue;
            }
            boolean fail;
            synchronized (random) {
              fail = random.nextInt(10) < 3;
            }
            if (fail) {
              failedKeys.add(r.key());
            }
            seen.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                .add(r.payloadAsString() + (fail ? ":retry" : ":sent"));
            outcomes.add(fail ? Outcome.retry(r, new IOException("random")) : Outcome.sent(r));
          }
          return CompletableFuture.completedFuture(outcomes);
        };
    for (int i = 0; i < 4; i++) {
      OutboxRelay relay =
          relayBuilder(sender)
              .name("ordered-" + i)
              .maxAttempts(1000)
              .backoff(Backoff.fixed(Duration.ZERO))
              .build();
      closeAfterTest(relay).start();
    }
    await("all sent")
        .atMost(Duration.ofSeconds(120))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == (long) keys * perKey);

    assertThat(seen).hasSize(keys);
    seen.forEach((key, events) -> assertDeliveredInOrder(key, events, perKey));
  }

  /** Each message is retried until sent, and the next one only appears after that. */
  private static void assertDeliveredInOrder(String key, List<String> events, int perKey) {
    int expected = 0;
    for (String e : events) {
      String[] parts = e.split(":");
      assertThat(Integer.parseInt(parts[0]))
          .as("key %s events %s", key, events)
          .isEqualTo(expected);
      if (parts[1].equals("sent")) {
        expected++;
      }
    }
    assertThat(expected).as("key %s delivered everything", key).isEqualTo(perKey);
  }

  /**
   * Per-key order is id order among committed messages: an open transaction's message is invisible
   * and is overtaken by a later insert of its key that commits first. Five rounds, one key each.
   */
  @Test
  public final void perKeyOrderIsCommitOrderWhenALaterInsertCommitsFirst() throws Exception {
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = closeAfterTest(relayBuilder(sender).build());
    LinkedHashMap<UUID, String> committed = new LinkedHashMap<>();
    for (int round = 0; round < 5; round++) {
      String key = "K" + round;
      try (Connection a = dataSource.getConnection();
          Connection b = dataSource.getConnection()) {
        a.setAutoCommit(false);
        b.setAutoCommit(false);
        UUID first = outbox.add(a, OutboxMessage.of("t", key, "a"));
        UUID second = outbox.add(b, OutboxMessage.of("t", key, "b"));
        b.commit();
        committed.put(second, key);
        assertThat(relay.runOnce()).as("b is delivered while a is still open").isEqualTo(1);
        a.commit();
        committed.put(first, key);
      }
      assertThat(relay.runOnce()).isEqualTo(1);
    }
    List<OutboxRecord> received = sender.received();
    assertThat(received)
        .extracting(OutboxRecord::payloadAsString)
        .containsExactly("b", "a", "b", "a", "b", "a", "b", "a", "b", "a");
    for (int i = 0; i < received.size(); i += 2) {
      assertThat(received.get(i + 1).id())
          .as("a has the lower id")
          .isLessThan(received.get(i).id());
    }
    faults("commit-order-interleaving-x5", committed, messageIds(received))
        .assertNoneLostNoneOutOfOrder();
  }

  /** Failing message holds back only its own key. */
  @Test
  public final void failingMessageHoldsBackOnlyItsOwnKey() throws Exception {
    enlist(
        OutboxMessage.of("t", "stuck", "stuck-0"),
        OutboxMessage.of("t", "free", "free-0"),
        OutboxMessage.of("t", "stuck", "stuck-1"),
        OutboxMessage.of("t", null, "nokey-0"),
        OutboxMessage.of("t", "free", "free-1"),
        OutboxMessage.of("t", "stuck", "stuck-2"),
        OutboxMessage.of("t", null, "nokey-1"));
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r ->
                    "stuck".equals(r.key())
                        ? Outcome.retry(r, new IOException("fails"))
                        : Outcome.sent(r));
    OutboxRelay relay =
        closeAfterTest(relayBuilder(sender).backoff(Backoff.fixed(Duration.ofHours(1))).build());
    drain(relay);
    assertThat(sender.received())
        .extracting(OutboxRecord::payloadAsString)
        .as("a claim takes a key's run, so the later stuck messages come with the first")
        .contains("stuck-0", "free-0", "nokey-0", "free-1", "nokey-1");
    List<String> free =
        sender.received().stream()
            .filter(r -> "free".equals(r.key()))
            .map(OutboxRecord::payloadAsString)
            .toList();
    assertThat(free).containsExactly("free-0", "free-1");
    assertThat(rowsWithStatus(1)).as("free and unkeyed messages are sent").isEqualTo(4);
    assertThat(attemptsOf("stuck-0")).as("the failing message is charged").isEqualTo(1);
    assertThat(attemptsOf("stuck-1"))
        .as("messages held back behind it get their attempt back")
        .isEqualTo(0);
    assertThat(attemptsOf("stuck-2")).isEqualTo(0);
    assertThat(
            queryLong(
                "SELECT count(*) FROM "
                    + messageTable()
                    + " WHERE msg_key = 'stuck' AND status = 0"))
        .as("no stuck message is recorded as sent")
        .isEqualTo(3);

    clock.advance(Duration.ofHours(2));
    OutboxRelay unordered = closeAfterTest(relayBuilder(sender).ordering(Ordering.NONE).build());
    unordered.runOnce();
    assertThat(sender.received())
        .extracting(OutboxRecord::payloadAsString)
        .as("without ordering the rest of the stuck key is claimed too")
        .contains("stuck-1", "stuck-2");
  }

  private long attemptsOf(String payload) throws SQLException {
    return queryLong(
        "SELECT attempts FROM " + messageTable() + " WHERE payload = ?",
        payload.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends everything, records deliveries and flags any record handed to two sends at once. */
  static final class InFlightTracker implements Sender {
    final Map<UUID, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

    @Override
    public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
      for (OutboxRecord r : batch) {
        if (!inFlight.add(r.id())) {
          violations.add("record " + r.id() + " was in flight on two relays at once");
        }
      }
      for (OutboxRecord r : batch) {
        deliveries.computeIfAbsent(r.messageId(), id -> new AtomicInteger()).incrementAndGet();
      }
      return CompletableFuture.supplyAsync(
          () -> {
            batch.forEach(r -> inFlight.remove(r.id()));
            return Outcome.allSent(batch);
          });
    }
  }
}
