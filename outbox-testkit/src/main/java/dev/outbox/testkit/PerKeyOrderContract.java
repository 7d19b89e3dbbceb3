package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.Backoff;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.io.IOException;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Per-key order against the worst senders the API allows: senders that answer record by record,
 * from another thread, failing records independently of each other. A key's first deliveries must
 * reach the broker in commit order, a record reported sent must not be sent again unless its
 * outcome was lost (a killed relay), and a record held back behind a failed one must not have been
 * sent at all, so copies per message stay at one.
 */
public abstract class PerKeyOrderContract extends OutboxContractSupport {

  /** How a {@link BrokerSender} answers the records it fails. */
  public enum Failing {
    /** A failed record never reaches the broker; the others of the batch do. */
    INDEPENDENTLY,
    /** Every record reaches the broker; some are still answered retry (a lost confirm). */
    DELIVERED_BUT_ANSWERED_RETRY
  }

  /**
   * A sender in front of a broker it simulates: it answers each record on its own, completing on
   * another thread, and fails a share of records at random, each independently of the others. It
   * records, in order, every message the broker received and every record it reported sent.
   */
  static final class BrokerSender implements Sender {
    final List<UUID> broker = Collections.synchronizedList(new ArrayList<>());
    final Map<UUID, Integer> reportedSent = new ConcurrentHashMap<>();
    final List<String> resentAfterSent = new CopyOnWriteArrayList<>();
    private final Failing failing;
    private final int failPercent;
    private final SplittableRandom random = new SplittableRandom(21);

    BrokerSender(Failing failing, int failPercent) {
      this.failing = failing;
      this.failPercent = failPercent;
    }

    @Override
    public CompletableFuture<List<Outcome>> send(List<OutboxRecord> batch) {
      List<Outcome> outcomes = new ArrayList<>(batch.size());
      synchronized (this) {
        for (OutboxRecord r : batch) {
          boolean fail = random.nextInt(100) < failPercent;
          if (!fail || failing == Failing.DELIVERED_BUT_ANSWERED_RETRY) {
            if (reportedSent.containsKey(r.messageId())) {
              resentAfterSent.add(r.payloadAsString());
            }
            broker.add(r.messageId());
          }
          outcomes.add(fail ? Outcome.retry(r, new IOException("refused")) : Outcome.sent(r));
          if (!fail) {
            reportedSent.merge(r.messageId(), 1, Integer::sum);
          }
        }
      }
      // Answered from another thread, in no particular order, as a broker client would.
      Collections.shuffle(outcomes);
      return CompletableFuture.supplyAsync(() -> outcomes);
    }
  }

  /**
   * Eight producers enlist one message a transaction while three relays deliver, every key written
   * by one producer so that its commit order is its id order; the sender fails 10% of the records
   * independently. First deliveries keep every key's commit order, nothing reported sent goes out
   * again, and a sender that fails records without delivering them delivers every message exactly
   * once.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Failing.class)
  public final void firstDeliveriesKeepCommitOrderWhateverTheSenderAnswers(Failing failing)
      throws Exception {
    int producers = 8;
    int keys = 16;
    int perKey = 40;
    BrokerSender sender = new BrokerSender(failing, 10);
    startRelays(sender, 3);
    LinkedHashMap<UUID, String> committed = produceConcurrently(producers, keys, perKey);
    awaitAllSent(keys * perKey);

    FaultFigures f = faults("independent-failures-" + failing, committed, sender.broker);
    f.assertNoneLostNoneOutOfOrder();
    assertThat(sender.resentAfterSent).as("records reported sent and then sent again").isEmpty();
    if (failing == Failing.INDEPENDENTLY) {
      assertThat(f.duplicates())
          .as("a held-back record was never sent, so nothing reaches the broker twice")
          .isZero();
    }
    assertThat(deadRows()).isZero();
  }

  /**
   * Eight hot keys, a 10% failure rate: a failed record cuts its key's run, and the records behind
   * it are held back unsent, so they do not go round again and again.
   */
  @Test
  public final void hotKeysWithFailuresAreNotAmplified() throws Exception {
    LinkedHashMap<UUID, String> committed = enlistKeyed(8 * 150, 8);
    BrokerSender sender = new BrokerSender(Failing.INDEPENDENTLY, 10);
    startRelays(sender, 3);
    awaitAllSent(8 * 150);
    FaultFigures f = faults("hot-keys-10pct", committed, sender.broker);
    f.assertNoneLostNoneOutOfOrder();
    assertThat(f.duplicates()).as("copies beyond one per message").isZero();
  }

  /**
   * A poison message retried until it dies holds back the later messages of its key the whole time;
   * they reach the broker only once it is dead, in order.
   */
  @Test
  public final void laterMessagesOfAKeyWaitUntilItsPoisonMessageIsDead() throws Exception {
    enlist(
        OutboxMessage.of("t", "k", "poison"),
        OutboxMessage.of("t", "k", "after-1"),
        OutboxMessage.of("t", "k", "after-2"),
        OutboxMessage.of("t", "k", "after-3"));
    List<String> broker = new CopyOnWriteArrayList<>();
    AtomicInteger poisonTries = new AtomicInteger();
    Sender sender =
        batch ->
            CompletableFuture.supplyAsync(
                () -> {
                  List<Outcome> outcomes = new ArrayList<>();
                  for (OutboxRecord r : batch) {
                    if (r.payloadAsString().equals("poison")) {
                      broker.add("poison attempt " + poisonTries.incrementAndGet());
                      outcomes.add(Outcome.retry(r, new IllegalStateException("poison")));
                    } else {
                      broker.add(r.payloadAsString());
                      outcomes.add(Outcome.sent(r));
                    }
                  }
                  Collections.reverse(outcomes);
                  return outcomes;
                });
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(sender).maxAttempts(3).backoff(Backoff.fixed(Duration.ZERO)).build());
    for (int cycle = 0; cycle < 10 && rowsWithStatus(1) < 3; cycle++) {
      relay.runOnce();
    }
    assertThat(broker)
        .containsExactly(
            "poison attempt 1",
            "poison attempt 2",
            "poison attempt 3",
            "after-1",
            "after-2",
            "after-3");
    assertThat(deadRows()).isEqualTo(1);
  }

  /**
   * Relay processes whose sender fails 5% of the records independently, killed with SIGKILL one
   * after another in the middle of their batches, then a survivor with a sender just as bad: no
   * message lost, every key's first deliveries in commit order. Only what a killed relay sent
   * without acknowledging goes out twice; nothing the survivor reported sent does.
   */
  @Test
  public final void killedRelaysWithIndependentFailuresKeepEveryKeyInOrder() throws Exception {
    LinkedHashMap<UUID, String> committed = enlistKeyed(600, 30);
    List<UUID> delivered =
        new ArrayList<>(
            RelayProcess.sentBeforeKills(
                4, 40, 7, sent -> RelayProcess.startFailing(db, dialect, tables, sent, 5)));
    clock.advance(RelayProcess.LEASE.plusMinutes(1));
    BrokerSender survivor = new BrokerSender(Failing.INDEPENDENTLY, 5);
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(survivor).maxAttempts(1000).backoff(Backoff.fixed(Duration.ZERO)).build());
    for (int cycle = 0; cycle < 500 && rowsWithStatus(1) < 600; cycle++) {
      relay.runOnce();
    }
    assertThat(rowsWithStatus(1)).isEqualTo(600);
    delivered.addAll(survivor.broker);
    faults("sigkill-independent-failures-x4", committed, delivered).assertNoneLostNoneOutOfOrder();
    assertThat(survivor.resentAfterSent).isEmpty();
    assertThat(survivor.broker).doesNotHaveDuplicates();
  }

  private void startRelays(Sender sender, int relays) {
    for (int i = 0; i < relays; i++) {
      closeAfterTest(
              relayBuilder(sender)
                  .name("order-" + i)
                  .batchSize(50)
                  .maxAttempts(1000)
                  .backoff(Backoff.fixed(Duration.ZERO))
                  .pollInterval(Duration.ofMillis(20))
                  .build())
          .start();
    }
  }

  private void awaitAllSent(int n) {
    await("all sent")
        .atMost(Duration.ofSeconds(120))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == n);
  }

  /**
   * {@code producers} threads enlist {@code perKey} messages for each of {@code keys} keys, one a
   * transaction; key {@code k} belongs to producer {@code k % producers}, so a key's commit order
   * is its enlist order. Returns the committed messages in each key's commit order.
   */
  private LinkedHashMap<UUID, String> produceConcurrently(int producers, int keys, int perKey)
      throws Exception {
    Map<Integer, LinkedHashMap<UUID, String>> byProducer = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        done.add(
            pool.submit(
                () -> {
                  LinkedHashMap<UUID, String> ids = new LinkedHashMap<>();
                  try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(false);
                    for (int seq = 0; seq < perKey; seq++) {
                      for (int k = producer; k < keys; k += producers) {
                        OutboxMessage m = OutboxMessage.of("t", "k-" + k, k + ":" + seq);
                        ids.put(outbox.add(c, m), m.key());
                        c.commit();
                      }
                    }
                  }
                  byProducer.put(producer, ids);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    LinkedHashMap<UUID, String> committed = new LinkedHashMap<>();
    for (int p = 0; p < producers; p++) {
      committed.putAll(byProducer.get(p));
    }
    return committed;
  }
}
