package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.inbox.Inbox;
import dev.outbox.spi.DedupRing;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The consumer inbox ({@link Inbox}) on a real database: once per consumer and message id, also
 * under concurrent redelivery and across a bucket boundary, nothing kept from a rolled back
 * transaction, the window's W to 2W memory, retention by slot, counters and input checks.
 */
public abstract class InboxContract extends InboxContractSupport {

  /** First time true, then false; another consumer is independent. */
  @Test
  public final void firstTimeThenDuplicateAndConsumersAreIndependent() throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    assertThat(firstTime(inbox, "billing", "m-1")).isTrue();
    assertThat(firstTime(inbox, "billing", "m-1")).isFalse();
    assertThat(firstTime(inbox, "billing", "m-1")).isFalse();
    assertThat(firstTime(inbox, "shipping", "m-1")).as("another consumer").isTrue();
    assertThat(firstTime(inbox, "billing", "m-2")).as("another message").isTrue();
    assertThat(firstTime(inbox, "shipping", "m-1")).isFalse();
    assertThat(rows(inbox, "billing", "m-1"))
        .as("a record is two rows; duplicates leave none of their own")
        .isEqualTo(2);
  }

  /** The callback form runs the effect once, in the inbox's transaction. */
  @Test
  public final void processRunsTheEffectOnlyTheFirstTime() throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    assertThat(inbox.process("billing", "m-1", tx -> applyEffect(tx, "billing", "m-1")))
        .contains("applied");
    assertThat(inbox.process("billing", "m-1", tx -> applyEffect(tx, "billing", "m-1"))).isEmpty();
    assertThat(effects("billing", "m-1")).isEqualTo(1);
  }

  /**
   * Two consumers on their own connections process the same message id at once, again and again:
   * the effect, an insert in the same transaction, happens once each time. A delivery that fails
   * with a transient error (a deadlock, a serialization failure) is delivered again, as a broker
   * would.
   */
  @Test
  public final void concurrentRedeliveryAppliesTheEffectExactlyOnce() throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    for (int round = 0; round < ROUNDS; round++) {
      String id = "race-" + round;
      int applied = race(() -> deliver(inbox, "billing", id), () -> deliver(inbox, "billing", id));
      assertThat(applied).as("effects applied in round " + round).isEqualTo(1);
      assertThat(effects("billing", id)).as("effect rows in round " + round).isEqualTo(1);
    }
  }

  /**
   * Two consumers whose clocks lie either side of a bucket boundary process the same id at once:
   * the one in the earlier bucket and the one in the later bucket both write the earlier bucket's
   * slot, so one waits for the other and sees it.
   */
  @Test
  public final void concurrentFirstDeliveriesEitherSideOfABucketBoundaryApplyOnce()
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Instant boundary = bucketStart(1000 + round);
      Inbox before = inbox(WINDOW, new MutableClock(boundary.minusMillis(1)));
      Inbox after = inbox(WINDOW, new MutableClock(boundary));
      String id = "boundary-" + round;
      int applied = race(() -> deliver(before, "billing", id), () -> deliver(after, "billing", id));
      assertThat(applied).as("effects applied in round " + round).isEqualTo(1);
      assertThat(effects("billing", id)).as("effect rows in round " + round).isEqualTo(1);
    }
  }

  /**
   * A consumer transaction that read before recording (so that under REPEATABLE READ its snapshot
   * is older than the other delivery's commit) waits for the other delivery, then sees it.
   */
  @Test
  public final void aDeliveryWaitsForAConcurrentOneAndSeesItsCommit() throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    ExecutorService second = Executors.newSingleThreadExecutor();
    try (Connection first = dataSource.getConnection();
        Connection other = dataSource.getConnection()) {
      first.setAutoCommit(false);
      other.setAutoCommit(false);
      queryLong(other, "SELECT count(*) FROM " + db.schema() + ".inbox_effect");
      assertThat(inbox.firstTime(first, "billing", "m-1")).isTrue();
      Future<Boolean> waiting = second.submit(() -> inbox.firstTime(other, "billing", "m-1"));
      Thread.sleep(300);
      assertThat(waiting).as("waits for the first delivery's transaction").isNotDone();
      applyEffect(first, "billing", "m-1");
      first.commit();
      assertThat(waiting.get(10, TimeUnit.SECONDS)).as("sees the commit").isFalse();
      other.commit();
    } finally {
      second.shutdownNow();
    }
    assertThat(effects("billing", "m-1")).isEqualTo(1);
    assertThat(rows(inbox, "billing", "m-1")).isEqualTo(2);
  }

  /** A rolled back consumer transaction keeps no record: the next delivery is a first time. */
  @Test
  public final void aRolledBackTransactionLeavesNoRecord() throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      assertThat(inbox.firstTime(c, "billing", "m-1")).isTrue();
      applyEffect(c, "billing", "m-1");
      c.rollback();
    }
    assertThat(rows(inbox, "billing", "m-1")).isZero();
    assertThatThrownBy(
            () ->
                inbox.process(
                    "billing",
                    "m-1",
                    tx -> {
                      applyEffect(tx, "billing", "m-1");
                      throw new IllegalStateException("effect failed");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("effect failed");
    assertThat(rows(inbox, "billing", "m-1")).isZero();
    assertThat(effects("billing", "m-1")).isZero();
    assertThat(inbox.process("billing", "m-1", tx -> applyEffect(tx, "billing", "m-1")))
        .as("the redelivery is a first time")
        .contains("applied");
    assertThat(effects("billing", "m-1")).isEqualTo(1);
  }

  /**
   * Wherever in its bucket an id was processed, it is still a duplicate W - 1 ms and W later and at
   * the next bucket boundary, and a first time again 2W later.
   */
  @Test
  public final void anIdIsRememberedForAtLeastTheWindowAndAtMostTwice() throws Exception {
    long[] offsets = {0, 1, WINDOW.toMillis() / 2, WINDOW.toMillis() - 1};
    for (long offset : offsets) {
      Instant start = bucketStart(2000);
      MutableClock at = new MutableClock(start.plusMillis(offset));
      Inbox inbox = inbox(WINDOW, at);
      String id = "window-" + offset;
      assertThat(firstTime(inbox, "billing", id)).isTrue();
      if (offset > 0) {
        at.advance(Duration.ofMillis(WINDOW.toMillis() - offset)); // the next bucket's start
        assertThat(firstTime(inbox, "billing", id))
            .as("at the boundary, offset " + offset)
            .isFalse();
        at.advance(Duration.ofMillis(offset - 1));
      } else {
        at.advance(WINDOW.minusMillis(1));
      }
      assertThat(firstTime(inbox, "billing", id)).as("at W - 1 ms, offset " + offset).isFalse();
      at.advance(Duration.ofMillis(1));
      assertThat(firstTime(inbox, "billing", id)).as("at W, offset " + offset).isFalse();
      at.advance(WINDOW);
      assertThat(firstTime(inbox, "billing", id)).as("at 2W, offset " + offset).isTrue();
    }
  }

  /**
   * Four buckets later the same slots come round again, still holding the old rows when retention
   * has not run: they are stale, overwritten, and not taken for a duplicate.
   */
  @Test
  public final void aStaleRecordFourBucketsOldIsOverwrittenNotTakenForADuplicate()
      throws Exception {
    MutableClock at = new MutableClock(bucketStart(3000).plusSeconds(7));
    Inbox inbox = inbox(WINDOW, at);
    assertThat(firstTime(inbox, "billing", "m-1")).isTrue();
    at.advance(WINDOW.multipliedBy(DedupRing.SLOTS));
    assertThat(rows(inbox, "billing", "m-1")).as("the stale rows are still there").isEqualTo(2);
    assertThat(firstTime(inbox, "billing", "m-1")).as("no false duplicate").isTrue();
    assertThat(rows(inbox, "billing", "m-1")).as("overwritten, not added to").isEqualTo(2);
    assertThat(firstTime(inbox, "billing", "m-1")).isFalse();
  }

  /**
   * Retention empties the slots whose rows have all expired, and leaves alone every slot that holds
   * a live row, expired rows beside it included (they are stale, and overwritten when their key
   * comes again).
   */
  @Test
  public final void expireRemovesExpiredSlotsAndKeepsLiveOnes() throws Exception {
    MutableClock at = new MutableClock(bucketStart(4000).plusSeconds(1));
    Inbox inbox = inbox(WINDOW, at);
    assertThat(inbox.expire()).as("nothing to remove").isZero();
    assertThat(firstTime(inbox, "billing", "a")).isTrue(); // buckets 4000 and 3999
    at.advance(WINDOW);
    assertThat(firstTime(inbox, "billing", "b")).isTrue(); // buckets 4001 and 4000
    assertThat(inbox.expire()).as("the slot of 3999 (a's row) alone has expired").isEqualTo(1);
    assertThat(rows(inbox, "billing", "a")).isEqualTo(1);
    assertThat(rows(inbox, "billing", "b")).isEqualTo(2);
    assertThat(firstTime(inbox, "billing", "a")).as("still remembered").isFalse();
    assertThat(firstTime(inbox, "billing", "b")).isFalse();
    assertThat(inbox.expire()).isZero();

    at.advance(WINDOW.multipliedBy(3));
    assertThat(firstTime(inbox, "billing", "c")).isTrue(); // buckets 4004 and 4003
    // The slot of 4000 and 4004 now holds a's and b's expired rows beside c's live one: kept.
    assertThat(inbox.expire()).as("the slot of 4001 (b's row) alone has expired").isEqualTo(1);
    assertThat(rows(inbox, "billing", "a")).isEqualTo(1);
    assertThat(rows(inbox, "billing", "b")).isEqualTo(1);
    assertThat(firstTime(inbox, "billing", "a")).as("a stale row is no duplicate").isTrue();

    at.advance(WINDOW.multipliedBy(2)); // bucket 4006: everything written so far has expired
    assertThat(inbox.expire()).as("a's, b's and c's rows").isEqualTo(5);
    assertThat(queryLong("SELECT count(*) FROM " + qualified(inbox))).isZero();
  }

  /** The counters count first times and duplicates per consumer. */
  @Test
  public final void countersCountProcessedAndDuplicateDeliveriesPerConsumer() throws Exception {
    try (TestTelemetry telemetry = new TestTelemetry()) {
      Inbox inbox = inboxBuilder(WINDOW, clock).openTelemetry(telemetry.sdk()).build();
      firstTime(inbox, "billing", "m-1");
      firstTime(inbox, "billing", "m-1");
      inbox.process("billing", "m-1", tx -> "never");
      inbox.process("shipping", "m-1", tx -> "once");
      assertThat(sum(telemetry, "outbox.inbox.processed", "billing")).isEqualTo(1);
      assertThat(sum(telemetry, "outbox.inbox.duplicates", "billing")).isEqualTo(2);
      assertThat(sum(telemetry, "outbox.inbox.processed", "shipping")).isEqualTo(1);
      assertThat(sum(telemetry, "outbox.inbox.duplicates", "shipping")).isZero();
    }
  }

  /** Bad consumers, ids, windows and a connection in auto-commit mode are refused. */
  @Test
  public final void badInputIsRefusedWithMessagesThatNameIt() throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      assertThatThrownBy(() -> inbox.firstTime(c, "billing", "m-1"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auto-commit");
      c.setAutoCommit(false);
      assertThatThrownBy(() -> inbox.firstTime(c, " ", "m-1"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("consumer must not be blank");
      assertThatThrownBy(() -> inbox.firstTime(c, "billing", "x".repeat(256)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("messageId is 256 characters long; the limit is 255");
      assertThatThrownBy(() -> inbox.firstTime(c, "billing", null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("messageId must not be null");
      assertThatThrownBy(() -> inbox.firstTime(c, "billing", "a\u0000b"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("messageId must not contain NUL");
      c.rollback();
    }
    assertThatThrownBy(() -> inboxBuilder(WINDOW, clock).window(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window must be between PT1S and PT8784H");
    assertThatThrownBy(() -> inboxBuilder(WINDOW, clock).window(Duration.ofDays(367)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was PT8808H");
    assertThatThrownBy(() -> inboxBuilder(WINDOW, clock).table("inbox; drop table x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table name");
    assertThat(firstTime(inbox, "x".repeat(255), "y".repeat(255))).as("255 is allowed").isTrue();
  }

  /** The migrations are idempotent and keep their own history table. */
  @Test
  public final void migrationsAreIdempotentAndKeepTheirOwnHistory() throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    assertThat(inbox.migrate()).isZero();
    assertThat(
            queryLong("SELECT count(*) FROM " + db.schema() + "." + inbox.table().historyTable()))
        .isPositive();
  }

  /**
   * Runs {@code a} and {@code b} on two threads released together; returns how many applied their
   * effect.
   */
  private static int race(Delivery a, Delivery b) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<Boolean>> results = new ArrayList<>();
      for (Delivery d : List.of(a, b)) {
        results.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return d.deliver();
                }));
      }
      int applied = 0;
      for (Future<Boolean> r : results) {
        applied += r.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      return applied;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One consumer's handling of a delivery: whether it applied the effect. */
  @FunctionalInterface
  private interface Delivery {
    boolean deliver() throws Exception;
  }

  /**
   * Delivers {@code messageId} to {@code consumer} until it is handled, as a broker redelivers
   * after a transient failure; the effect holds its transaction open a little, so that the other
   * delivery meets it. Returns whether this consumer applied the effect.
   */
  private boolean deliver(Inbox inbox, String consumer, String messageId) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        Optional<String> applied =
            inbox.process(
                consumer,
                messageId,
                tx -> {
                  String result = applyEffect(tx, consumer, messageId);
                  Thread.sleep(20);
                  return result;
                });
        return applied.isPresent();
      } catch (dev.outbox.inbox.InboxException e) {
        if (!e.isTransient() || attempt == 5) {
          throw e;
        }
      }
    }
  }
}
