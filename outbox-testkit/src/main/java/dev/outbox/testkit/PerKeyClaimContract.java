package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.Backoff;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.KeyWalk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-key claim ({@code Ordering.PER_KEY}, the default): a claim takes runs of a key's oldest
 * messages, keys take turns, a failing message holds back its own key only, and messages without a
 * key flow beside the keyed ones. Payloads are {@code "<sequence within the key>"}.
 */
public abstract class PerKeyClaimContract extends OutboxContractSupport {

  /**
   * A sender that fails a share of records at random and follows the Sender contract for runs:
   * after a record of a key fails, the later records of that key in the batch are not delivered but
   * reported as retry. It records, per key, the sequence numbers it delivered, in order.
   */
  private static final class FlakySender implements Sender {
    final Map<String, List<Integer>> delivered = new ConcurrentHashMap<>();
    private final Random random = new Random(7);
    private final int failPercent;

    FlakySender(int failPercent) {
      this.failPercent = failPercent;
    }

    @Override
    public synchronized CompletableFuture<List<Outcome>> send(List<OutboxRecord> batch) {
      List<Outcome> outcomes = new ArrayList<>(batch.size());
      Set<String> failed = new HashSet<>();
      for (OutboxRecord r : batch) {
        if (failed.contains(r.key()) || random.nextInt(100) < failPercent) {
          failed.add(r.key());
          outcomes.add(Outcome.retry(r, new IOException("flaky")));
        } else {
          delivered
              .computeIfAbsent(String.valueOf(r.key()), k -> new CopyOnWriteArrayList<>())
              .add(Integer.parseInt(r.payloadAsString()));
          outcomes.add(Outcome.sent(r));
        }
      }
      return CompletableFuture.completedFuture(outcomes);
    }
  }

  /** Every key's first deliveries are 0, 1, 2… in order; repeats only of what came before. */
  private static void assertFirstDeliveriesInOrder(Map<String, List<Integer>> delivered, int n) {
    delivered.forEach(
        (key, seqs) -> {
          int next = 0;
          for (int seq : seqs) {
            assertThat(seq).as("key %s delivered %s", key, seqs).isLessThanOrEqualTo(next);
            if (seq == next) {
              next++;
            }
          }
          assertThat(next).as("key %s delivered everything", key).isEqualTo(n);
        });
  }

  /** Per-key order holds with three relays and random failures. */
  @ParameterizedTest(name = "{0} keys")
  @ValueSource(ints = {1, 10, 300, 3000})
  public final void perKeyOrderHoldsWithThreeRelaysAndRandomFailures(int keys) throws Exception {
    // 3,000 keys: more than a claim visits (KeyWalk.maxKeys), so relays start at scattered keys
    // and move on when they meet keys the others hold.
    int perKey = keys == 1 ? 600 : keys == 10 ? 60 : keys == 300 ? 4 : 2;
    enlistInterleaved(keys, perKey);
    FlakySender sender = new FlakySender(10);
    for (int i = 0; i < 3; i++) {
      closeAfterTest(
              relayBuilder(sender)
                  .name("keys-" + i)
                  .batchSize(50)
                  .maxAttempts(1000)
                  .backoff(Backoff.fixed(Duration.ZERO))
                  .build())
          .start();
    }
    await("all sent")
        .atMost(Duration.ofSeconds(120))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == (long) keys * perKey);
    assertThat(sender.delivered).hasSize(keys);
    assertFirstDeliveriesInOrder(sender.delivered, perKey);
    assertThat(deadRows()).isZero();
  }

  /** A claim takes a run of one key's messages in id order. */
  @Test
  public final void thePendingKeyRangeIsTheFirstAndTheLastPendingKey() throws Exception {
    try (Connection c = dataSource.getConnection()) {
      assertThat(dialect.pendingKeyRange(c, tables)).isNull();
      enlist(
          OutboxMessage.of("t", "m", "0"),
          OutboxMessage.of("t", "c", "0"),
          OutboxMessage.of("t", null, "0"),
          OutboxMessage.of("t", "x", "0"));
      KeyWalk.Range range = dialect.pendingKeyRange(c, tables);
      if (range != null) { // a dialect may leave every relay to start at the first key
        assertThat(range.first()).isEqualTo("c");
        assertThat(range.last()).isEqualTo("x");
        drain(relay(new RecordingSender()));
        assertThat(dialect.pendingKeyRange(c, tables)).isNull();
      }
    }
  }

  @Test
  public final void aClaimTakesARunOfOneKeysMessagesInIdOrder() throws Exception {
    enlistInterleaved(1, 250);
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = closeAfterTest(relayBuilder(sender).batchSize(100).build());
    assertThat(relay.runOnce()).as("one key fills the batch").isEqualTo(100);
    assertThat(sender.received())
        .extracting(r -> Integer.parseInt(r.payloadAsString()))
        .isSorted()
        .startsWith(0, 1, 2)
        .hasSize(100);
    drain(relay);
    assertThat(rowsWithStatus(1)).isEqualTo(250);
  }

  /**
   * A run stops before the first message its claim cannot take: one locked by another transaction
   * (a claim of another relay, an acknowledgement) or one that is not due. A key whose oldest
   * message is locked yields nothing. The rest comes with the next claims, still in order.
   */
  @Test
  public final void aRunStopsBeforeAMessageItCannotTake() throws Exception {
    enlistInterleaved(3, 10);
    long held = idOf("key-0", 4);
    long heldHead = idOf("key-2", 0);
    execute(
        "UPDATE "
            + messageTable()
            + " SET next_attempt_at = next_attempt_at + INTERVAL '1' DAY WHERE id = "
            + idOf("key-1", 3));
    try (Connection holder = dataSource.getConnection()) {
      holder.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      holder.setAutoCommit(false);
      for (long id : new long[] {held, heldHead}) {
        try (PreparedStatement ps =
            holder.prepareStatement(
                "SELECT id FROM " + messageTable() + " WHERE id = ? FOR UPDATE")) {
          ps.setLong(1, id);
          ps.executeQuery().close();
        }
      }
      assertThat(claimSequences())
          .as("key-0 up to its locked message, key-1 up to the one not due, key-2 nothing")
          .isEqualTo(Map.of("key-0", List.of(0, 1, 2, 3), "key-1", List.of(0, 1, 2)));
      holder.commit();
    }
    List<Integer> all = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(claimSequences())
        .as("the locks released: key-2 whole; key-0 and key-1 wait for their leased runs")
        .isEqualTo(Map.of("key-2", all));
    clock.advance(Duration.ofMinutes(10));
    assertThat(claimSequences())
        .as("the leases expired: every run again from its key's oldest message")
        .isEqualTo(Map.of("key-0", all, "key-1", List.of(0, 1, 2), "key-2", all));
  }

  /**
   * A claim reaches a key it can take behind keys whose long runs other claims hold: held keys are
   * passed over whatever their length, and the claimable key's run comes whole.
   */
  @Test
  public final void aClaimReachesAFreeKeyBehindKeysWithLongHeldRuns() throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      for (String key : List.of("a", "b")) {
        for (int seq = 0; seq < 300; seq++) {
          outbox.add(c, OutboxMessage.of("ordered", key, Integer.toString(seq)));
        }
      }
      for (int seq = 0; seq < 10; seq++) {
        outbox.add(c, OutboxMessage.of("ordered", "c", Integer.toString(seq)));
      }
      c.commit();
    }
    List<Integer> first100 = java.util.stream.IntStream.range(0, 100).boxed().toList();
    assertThat(claimSequences()).isEqualTo(Map.of("a", first100));
    assertThat(claimSequences()).as("a is held").isEqualTo(Map.of("b", first100));
    assertThat(claimSequences())
        .as("a and b are held")
        .isEqualTo(Map.of("c", List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)));
    assertThat(claimSequences()).as("every key is held").isEmpty();
  }

  private long idOf(String key, int seq) throws SQLException {
    return queryLong(
        "SELECT id FROM " + messageTable() + " WHERE msg_key = ? AND payload = ?",
        key,
        Integer.toString(seq).getBytes(StandardCharsets.UTF_8));
  }

  /** One per-key claim from the first key, through the dialect: each key's sequence numbers. */
  private Map<String, List<Integer>> claimSequences() throws SQLException {
    Instant now = clock.instant();
    ClaimRequest request =
        new ClaimRequest(
            100, now, UUID.randomUUID(), now.plus(Duration.ofMinutes(5)), true, null, false, 0);
    Map<String, List<Integer>> sequences = new TreeMap<>();
    try (Connection c = dataSource.getConnection()) {
      for (OutboxRecord r : dialect.claim(c, tables, request).records()) {
        sequences
            .computeIfAbsent(r.key(), k -> new ArrayList<>())
            .add(Integer.parseInt(r.payloadAsString()));
      }
    }
    return sequences;
  }

  /** A stuck key holds back only its own key while the others drain. */
  @Test
  public final void aStuckKeyHoldsBackOnlyItsOwnKeyWhileTheOthersDrain() throws Exception {
    enlistInterleaved(20, 30);
    enlistMany(40, "ordered", null);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      for (int seq = 0; seq < 30; seq++) {
        outbox.add(c, OutboxMessage.of("ordered", "stuck", Integer.toString(seq)));
      }
      c.commit();
    }
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r ->
                    "stuck".equals(r.key())
                        ? Outcome.retry(r, new IOException("broker refuses"))
                        : Outcome.sent(r));
    OutboxRelay relay =
        relayBuilder(sender)
            .batchSize(50)
            .maxAttempts(1000)
            .backoff(Backoff.fixed(Duration.ZERO))
            .build();
    closeAfterTest(relay).start();
    await("every other key and the unkeyed messages sent")
        .atMost(Duration.ofSeconds(60))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == 20 * 30 + 40);
    relay.close();
    assertThat(
            queryLong(
                "SELECT count(*) FROM "
                    + messageTable()
                    + " WHERE msg_key = 'stuck' AND status = 1"))
        .isZero();
    assertThat(
            queryLong(
                "SELECT max(attempts) FROM "
                    + messageTable()
                    + " WHERE msg_key = 'stuck' AND payload <> ?",
                "0".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .as("the messages behind the stuck one were never charged an attempt")
        .isZero();
    assertThat(deadRows()).isZero();
  }

  /** Unkeyed messages flow beside a busy key. */
  @Test
  public final void unkeyedMessagesFlowBesideABusyKey() throws Exception {
    enlistInterleaved(1, 500);
    enlistMany(50, "unkeyed", null);
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = closeAfterTest(relayBuilder(sender).batchSize(100).build());
    relay.runOnce();
    relay.runOnce();
    assertThat(sender.received())
        .filteredOn(r -> r.key() == null)
        .as("keyed runs and unkeyed messages take turns at the head of the batch")
        .hasSize(50);
    assertThat(sender.received()).filteredOn(r -> r.key() != null).hasSize(150);
  }

  /** Keys take turns so a busy key does not starve a quiet one. */
  @Test
  public final void keysTakeTurnsSoABusyKeyDoesNotStarveAQuietOne() throws Exception {
    enlistInterleaved(5, 400); // key-0 … key-4, 400 each
    enlist(OutboxMessage.of("ordered", "quiet", "0"));
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = closeAfterTest(relayBuilder(sender).batchSize(100).build());
    int claims = 0;
    while (sender.received().stream().noneMatch(r -> "quiet".equals(r.key()))) {
      assertThat(relay.runOnce()).isPositive();
      claims++;
    }
    assertThat(claims)
        .as("each claim visits the keys after the last one, so every key gets its turn")
        .isLessThanOrEqualTo(6);
  }

  /** A run of a killed relay process is delivered in order after the lease. */
  @Test
  public final void aRunOfAKilledRelayProcessIsDeliveredInOrderAfterTheLease() throws Exception {
    enlistInterleaved(1, 150);
    Process child = RelayProcess.start(db, dialect, tables);
    try {
      assertThat(RelayProcess.awaitClaim(child)).as("one key's run").isEqualTo("CLAIMED 100");
    } finally {
      RelayProcess.kill(child);
    }
    FlakySender sender = new FlakySender(10);
    OutboxRelay survivor =
        closeAfterTest(
            relayBuilder(sender).maxAttempts(1000).backoff(Backoff.fixed(Duration.ZERO)).build());
    assertThat(survivor.runOnce()).as("the killed relay's run holds the key").isZero();
    clock.advance(RelayProcess.LEASE.plusMinutes(1));
    for (int cycle = 0; cycle < 200 && rowsWithStatus(1) < 150; cycle++) {
      survivor.runOnce();
    }
    assertThat(rowsWithStatus(1)).isEqualTo(150);
    assertFirstDeliveriesInOrder(sender.delivered, 150);
  }

  /** Closing with a run in flight loses nothing and keeps the order. */
  @Test
  public final void closingWithARunInFlightLosesNothingAndKeepsTheOrder() throws Exception {
    enlistInterleaved(2, 100);
    BlockingSender hangs = new BlockingSender();
    OutboxRelay first =
        relayBuilder(hangs)
            .name("first")
            .batchSize(50)
            .leaseDuration(Duration.ofSeconds(60))
            .sendTimeout(Duration.ofSeconds(50))
            .shutdownTimeout(Duration.ZERO)
            .build();
    first.start();
    assertThat(hangs.awaitBatch(Duration.ofSeconds(10))).hasSize(50);
    first.close(); // the run in flight is never acknowledged

    FlakySender sender = new FlakySender(0);
    OutboxRelay second = closeAfterTest(relayBuilder(sender).name("second").build());
    clock.advance(Duration.ofSeconds(61));
    drain(second);
    assertThat(rowsWithStatus(1)).isEqualTo(200);
    assertFirstDeliveriesInOrder(sender.delivered, 100);
  }
}
