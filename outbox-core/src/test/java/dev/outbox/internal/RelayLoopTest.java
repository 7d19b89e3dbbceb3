package dev.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.Backoff;
import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay's background loop: batches in flight, keys in flight, and pauses for the broker. */
class RelayLoopTest {
  private MutableClock clock;
  private InMemoryDialect dialect;
  private RelayLoop loop;
  private Thread thread;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    dialect = new InMemoryDialect(clock);
  }

  @AfterEach
  void stopLoop() throws InterruptedException {
    if (loop != null) {
      loop.stop();
      thread.join(5_000);
      assertThat(thread.isAlive()).as("the loop stopped").isFalse();
    }
  }

  private final Doorbell doorbell = new Doorbell();

  private void start(Sender sender, RelaySettings settings) {
    loop = new RelayLoop(Relays.cycle(dialect, sender, settings), settings, doorbell, e -> {});
    thread = new Thread(loop, "outbox-unit-relay");
    thread.setDaemon(true);
    thread.start();
  }

  /** Releases the sender's batches one at a time until {@code expected} messages are sent. */
  private void releaseUntilSent(GatedSender sender, int expected) throws InterruptedException {
    Relays.await(
        expected + " messages sent",
        () -> {
          sender.releaseOne();
          return dialect.sent().size() == expected;
        });
  }

  @Test
  void neverMoreBatchesAreWithTheSenderThanMaxBatchesInFlight() throws Exception {
    for (int i = 0; i < 20; i++) {
      dialect.add("-" + i);
    }
    GatedSender sender = new GatedSender();
    start(sender, Relays.settings(Ordering.NONE, clock, 2, 3, 10, Backoff.fixed(Duration.ZERO)));

    Relays.await("three batches in flight", () -> sender.holding() == 3);
    Thread.sleep(100); // room for a fourth claim, were the limit not kept
    assertThat(sender.holding()).isEqualTo(3);
    assertThat(dialect.claims).hasSize(3);

    releaseUntilSent(sender, 20);
    assertThat(sender.mostHeld()).isEqualTo(3);
    assertThat(sender.handed()).hasSize(20).doesNotHaveDuplicates();
  }

  @Test
  void aKeyWithABatchInFlightIsNotHandedToTheSenderAgainUntilThatBatchIsAcknowledged()
      throws Exception {
    for (String name : List.of("a1", "a2", "a3", "b1", "b2", "c1")) {
      dialect.add(name);
    }
    GatedSender sender = new GatedSender();
    start(sender, Relays.settings(Ordering.PER_KEY, clock, 1, 4, 10, Backoff.fixed(Duration.ZERO)));

    Relays.await("one batch of each key in flight", () -> sender.holding() == 3);
    Thread.sleep(100); // room for a fourth claim, were a key in flight claimed again
    assertThat(sender.holding()).isEqualTo(3);
    assertThat(sender.handed()).containsExactlyInAnyOrder("a1", "b1", "c1");

    releaseUntilSent(sender, 6);
    assertThat(sender.keysHandedTwice).isEmpty();
    assertThat(sender.handed().stream().filter(n -> n.startsWith("a")))
        .containsExactly("a1", "a2", "a3");
    assertThat(sender.handed().stream().filter(n -> n.startsWith("b"))).containsExactly("b1", "b2");
  }

  /** A broker that refuses every connection while {@link #down}; it notes when it was called. */
  private static final class FlakyBroker implements Sender {
    volatile boolean down = true;
    final List<Long> calledAt = new CopyOnWriteArrayList<>();
    final List<Integer> sizes = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
      calledAt.add(System.nanoTime());
      sizes.add(batch.size());
      boolean refuse = down;
      List<Outcome> outcomes = new ArrayList<>();
      for (OutboxRecord r : batch) {
        outcomes.add(refuse ? Outcome.retry(r, new ConnectException("refused")) : Outcome.sent(r));
      }
      return CompletableFuture.supplyAsync(() -> outcomes);
    }
  }

  @Test
  void whileTheBrokerIsAwayTheLoopPausesAndProbesWithOneMessageThenResumesInFullBatches()
      throws Exception {
    for (int i = 0; i < 5; i++) {
      dialect.add("-" + i);
    }
    FlakyBroker broker = new FlakyBroker();
    // PER_KEY: its claims always start from the oldest message, so after the probe the rest is
    // claimed in one batch (an unordered claim continues after the probe's id for a while)
    Duration pause = Duration.ofMillis(100);
    start(
        broker,
        Relays.settings(Ordering.PER_KEY, clock, 10, 1, 1, Backoff.fixed(Duration.ZERO), pause));

    Relays.await("three probes", () -> broker.sizes.stream().filter(s -> s == 1).count() >= 3);
    broker.down = false;
    Relays.await("every message sent", () -> dialect.sent().size() == 5);

    assertThat(dialect.deadLetters()).as("maxAttempts is 1, yet the outage killed none").isEmpty();
    assertThat(dialect.sent()).allSatisfy(n -> assertThat(dialect.row(n).attempts).isOne());
    List<Integer> sizes = List.copyOf(broker.sizes);
    List<Long> at = List.copyOf(broker.calledAt);
    assertThat(sizes.get(0)).isEqualTo(5);
    int firstProbe = sizes.indexOf(1);
    // every call from the first probe on is a probe of one message, each after a pause of at
    // least half brokerPause (the jitter), until a probe is delivered and the rest goes at once
    assertThat(sizes.subList(firstProbe, sizes.size() - 1)).allMatch(s -> s == 1);
    assertThat(sizes.get(sizes.size() - 1)).isEqualTo(4);
    for (int i = firstProbe; i < sizes.size() - 1; i++) {
      assertThat(Duration.ofNanos(at.get(i) - at.get(i - 1)))
          .isGreaterThanOrEqualTo(pause.dividedBy(2));
    }
  }

  /** A sender that delivers at once and notes when it was called and with how many records. */
  private static final class Clocked implements Sender {
    final List<Long> calledAt = new CopyOnWriteArrayList<>();
    final List<Integer> sizes = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
      calledAt.add(System.nanoTime());
      sizes.add(batch.size());
      return CompletableFuture.completedFuture(Outcome.allSent(batch));
    }
  }

  private static final Duration LINGER = Duration.ofSeconds(1);

  /**
   * Starts a loop with {@code linger}, batches of 10 and no order over {@code messages} messages,
   * and waits until they are sent: one partial claim.
   */
  private Clocked lingering(int messages, Duration linger) throws InterruptedException {
    for (int i = 0; i < messages; i++) {
      dialect.add("-" + i);
    }
    Clocked sender = new Clocked();
    RelaySettings settings =
        Relays.settings(Ordering.NONE, clock, 10, 1, 10, Backoff.fixed(Duration.ZERO));
    start(sender, Relays.lingering(settings, linger));
    Relays.await("the first claim sent", () -> dialect.sent().size() == messages);
    return sender;
  }

  @Test
  void afterAPartialClaimOfSeveralMessagesTheNextClaimWaitsOutTheLingerWhateverRingsTheDoorbell()
      throws Exception {
    Clocked sender = lingering(5, LINGER);
    dialect.add("-late");
    doorbell.ring(); // as a NOTIFY would
    Relays.await("the sixth message sent", () -> dialect.sent().size() == 6);

    assertThat(sender.sizes).containsExactly(5, 1);
    assertThat(Duration.ofNanos(sender.calledAt.get(1) - sender.calledAt.get(0)))
        .as("the second claim waited out the linger")
        .isGreaterThanOrEqualTo(LINGER.minusMillis(50));
  }

  @Test
  void aClaimOfOneMessageDoesNotLingerSoATrickleIsClaimedAsSoonAsItIsNotified() throws Exception {
    Clocked sender = lingering(1, LINGER);
    dialect.add("-late");
    doorbell.ring();
    Relays.await("the second message sent", () -> dialect.sent().size() == 2);

    assertThat(sender.sizes).containsExactly(1, 1);
    assertThat(Duration.ofNanos(sender.calledAt.get(1) - sender.calledAt.get(0)))
        .as("claimed when notified, not after the linger")
        .isLessThan(LINGER.dividedBy(2));
  }

  @Test
  void aClaimOfSeveralMessagesThatGatheredSlowlyDoesNotLinger() throws Exception {
    Clocked sender = new Clocked();
    RelaySettings settings =
        Relays.settings(Ordering.NONE, clock, 10, 1, 10, Backoff.fixed(Duration.ZERO));
    start(sender, Relays.lingering(settings, LINGER));
    Thread.sleep(300); // empty claims: the loop now polls every 50 ms (the poll interval)
    for (int i = 0; i < 5; i++) {
      dialect.add("-" + i);
    }
    Relays.await("the five sent", () -> dialect.sent().size() == 5);
    dialect.add("-late");
    doorbell.ring();
    Relays.await("the sixth message sent", () -> dialect.sent().size() == 6);

    assertThat(sender.sizes).containsExactly(5, 1);
    assertThat(Duration.ofNanos(sender.calledAt.get(1) - sender.calledAt.get(0)))
        .as("five messages in a poll interval are not one a millisecond: no linger")
        .isLessThan(LINGER.dividedBy(2));
  }

  @Test
  void messagesArriveFastEnoughToLingerForFromThreeAtOneAMillisecond() {
    long milli = 1_000_000L;
    assertThat(RelayLoop.arriving(2, 0)).isFalse();
    assertThat(RelayLoop.arriving(3, 3 * milli)).isTrue();
    assertThat(RelayLoop.arriving(3, 3 * milli + 1)).isFalse();
    assertThat(RelayLoop.arriving(50, 10 * milli)).isTrue();
  }

  @Test
  void stoppingEndsTheLinger() throws Exception {
    lingering(5, Duration.ofSeconds(60));

    long stopping = System.nanoTime();
    loop.stop();
    thread.join(5_000);
    assertThat(thread.isAlive()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(5));
    loop = null;
  }
}
