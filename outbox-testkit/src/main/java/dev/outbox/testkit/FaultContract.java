package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Backoff;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.RelayException;
import dev.outbox.Sender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crashes and outages: relay processes killed mid-batch, the database away at each step of a cycle,
 * the broker away, a late acknowledgement. The tests that count deliveries end with one line of
 * {@link FaultFigures}.
 */
public abstract class FaultContract extends OutboxContractSupport {

  /**
   * A sender that records every record it is handed and sends it; at its first batch it cuts the
   * database off (through {@code proxy}) for {@code outage}. It answers that batch at once, so that
   * the database goes away between the send and the acknowledgement, or, with {@code answerAfter},
   * only once the database is back, so that it is away while the batch is being sent.
   */
  private static Sender cuttingTheDatabaseOnce(
      TcpProxy proxy, Duration outage, List<UUID> delivered, boolean answerAfter) {
    AtomicBoolean cutOnce = new AtomicBoolean();
    return batch -> {
      batch.forEach(r -> delivered.add(r.messageId()));
      if (!cutOnce.compareAndSet(false, true)) {
        return CompletableFuture.completedFuture(Outcome.allSent(batch));
      }
      proxy.cut();
      CompletableFuture<Void> back =
          CompletableFuture.runAsync(
              proxy::restore,
              CompletableFuture.delayedExecutor(outage.toMillis(), TimeUnit.MILLISECONDS));
      return answerAfter
          ? back.thenApply(v -> Outcome.allSent(batch))
          : CompletableFuture.completedFuture(Outcome.allSent(batch));
    };
  }

  /** Relay keeps running through a database outage and delivers everything afterwards. */
  @Test
  public final void relayKeepsRunningThroughADatabaseOutageAndDeliversEverythingAfterwards()
      throws Exception {
    List<UUID> enlisted = enlistMany(200, "t", null);
    TcpProxy proxy = closeAfterTest(new TcpProxy(db.hostAndPort()));
    HikariDataSource viaProxy =
        closeAfterTest(db.dataSource(db.jdbcUrlVia("127.0.0.1", proxy.port()), "via-proxy", 4));
    // The outage outlasts the pool's wait for a connection, so the relay cannot ride it out inside
    // getConnection(): the ack after the cut must fail and be reported.
    viaProxy.getHikariConfigMXBean().setConnectionTimeout(1000);
    List<RelayException> errors = new CopyOnWriteArrayList<>();
    List<UUID> delivered = new CopyOnWriteArrayList<>();
    OutboxRelay relay =
        closeAfterTest(
            OutboxRelay.builder(
                    viaProxy,
                    dialect,
                    cuttingTheDatabaseOnce(proxy, Duration.ofMillis(3000), delivered, false))
                .tables(tables)
                .name("outage")
                .batchSize(50)
                .pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(3))
                .sendTimeout(Duration.ofSeconds(2))
                .errorListener((name, e) -> errors.add(e))
                .build());
    relay.start();
    await("all sent")
        .atMost(Duration.ofSeconds(60))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == 200);
    assertThat(errors).as("the outage was reported").isNotEmpty();
    assertThat(errors).allMatch(RelayException::isTransient);
    assertThat(delivered).containsAll(enlisted);
    assertThat(RelayThreads.named("outage")).isNotEmpty();
  }

  /** A broker outage longer than the retries dead letters nothing and delivery resumes. */
  @ParameterizedTest(name = "the sender {0}")
  @ValueSource(strings = {"throws", "reports"})
  public final void aBrokerOutageLongerThanTheRetriesDeadLettersNothingAndDeliveryResumes(
      String how) throws Exception {
    LinkedHashMap<UUID, String> committed = enlistKeyed(40, 4);
    AtomicBoolean away = new AtomicBoolean(true);
    List<UUID> delivered = new CopyOnWriteArrayList<>();
    Sender sender =
        batch -> {
          if (away.get()) {
            java.net.ConnectException refused = new java.net.ConnectException("Connection refused");
            if (how.equals("throws")) {
              throw new java.io.UncheckedIOException(refused);
            }
            return CompletableFuture.completedFuture(
                batch.stream().map(r -> Outcome.retry(r, refused)).toList());
          }
          batch.forEach(r -> delivered.add(r.messageId()));
          return CompletableFuture.completedFuture(Outcome.allSent(batch));
        };
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(sender)
                .name("outage-" + how)
                .batchSize(10)
                .maxAttempts(3)
                .backoff(Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(50)))
                .brokerPause(Duration.ofMillis(50), Duration.ofMillis(200))
                .errorListener((name, e) -> {})
                .build());
    relay.start();
    // Far longer than maxAttempts x the backoff cap: every message would be dead before.
    Thread.sleep(1_500);
    assertThat(deadRows()).as("an outage dead-letters nothing").isZero();
    // A claim counts the attempt until its acknowledgement gives it back, so only rows not
    // under a lease (a probe's or a batch's in flight) show what was counted.
    assertThat(
            queryLong(
                "SELECT coalesce(max(attempts), 0) FROM "
                    + messageTable()
                    + " WHERE lease_token IS NULL"))
        .as("no attempt is counted while the broker is away")
        .isZero();
    long back = System.nanoTime();
    away.set(false);
    await("all sent")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == 40);
    Duration resumedIn = Duration.ofNanos(System.nanoTime() - back);
    assertThat(resumedIn)
        .as("delivery resumes within a probe interval")
        .isLessThan(Duration.ofSeconds(2));
    assertThat(deadRows()).isZero();
    FaultFigures f = faults("brokers-away-sender-" + how, committed, delivered);
    f.assertNoneLostNoneOutOfOrder();
    assertThat(f.duplicates()).as("nothing reached the broker while it was away").isZero();
  }

  /** When the database goes away in a relay's cycle. */
  public enum Phase {
    /** The relay is idle and claims the messages committed meanwhile while the database is away. */
    CLAIM,
    /** The database goes away while the sender works on a batch and is back before it answers. */
    SEND,
    /** The sender answers at once, so the acknowledgement finds the database away. */
    ACK
  }

  /**
   * The database unreachable for 3 seconds at claim, send or acknowledgement time: the relay rides
   * it out, an acknowledgement that failed is tried again while its lease lasts, so nothing is lost
   * and nothing is sent twice.
   */
  @ParameterizedTest(name = "at {0} time")
  @EnumSource(Phase.class)
  public final void theDatabaseAwayForSecondsLosesNothingAndSendsNothingTwice(Phase phase)
      throws Exception {
    Duration outage = Duration.ofSeconds(3);
    TcpProxy proxy = closeAfterTest(new TcpProxy(db.hostAndPort()));
    HikariDataSource viaProxy =
        closeAfterTest(db.dataSource(db.jdbcUrlVia("127.0.0.1", proxy.port()), "via-proxy", 4));
    viaProxy.getHikariConfigMXBean().setConnectionTimeout(500);
    List<RelayException> errors = new CopyOnWriteArrayList<>();
    List<UUID> delivered = new CopyOnWriteArrayList<>();
    LinkedHashMap<UUID, String> committed = new LinkedHashMap<>();
    if (phase != Phase.CLAIM) {
      committed.putAll(enlistKeyed(200, 10));
    }
    Sender sender =
        phase == Phase.CLAIM
            ? batch -> {
              batch.forEach(r -> delivered.add(r.messageId()));
              return CompletableFuture.completedFuture(Outcome.allSent(batch));
            }
            : cuttingTheDatabaseOnce(proxy, outage, delivered, phase == Phase.SEND);
    OutboxRelay relay =
        closeAfterTest(
            OutboxRelay.builder(viaProxy, dialect, sender)
                .tables(tables)
                .name("db-away-" + phase)
                .batchSize(20)
                .pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(30))
                .sendTimeout(Duration.ofSeconds(10))
                .errorListener((name, e) -> errors.add(e))
                .build());
    relay.start();
    if (phase == Phase.CLAIM) {
      proxy.cut();
      committed.putAll(enlistKeyed(200, 10));
      Thread.sleep(outage.toMillis());
      assertThat(rowsWithStatus(1)).as("nothing is claimed while the database is away").isZero();
      proxy.restore();
    }
    await("all sent")
        .atMost(Duration.ofSeconds(60))
        .until(() -> unchecked(() -> rowsWithStatus(1)) == 200);
    assertThat(errors).as("the outage was reported").isNotEmpty();
    assertThat(errors).allMatch(RelayException::isTransient);
    FaultFigures f =
        faults("database-away-at-" + phase.name().toLowerCase(Locale.ROOT), committed, delivered);
    f.assertNoneLostNoneOutOfOrder();
    assertThat(f.duplicates())
        .as("a failed ack was tried again until the database was back: nothing was sent twice")
        .isZero();
  }

  /** Runs cycles of a new relay until one claims nothing; returns what it delivered, in order. */
  private List<UUID> drainedByASurvivor() {
    RecordingSender survivor = new RecordingSender();
    OutboxRelay relay = relay(survivor);
    drain(relay);
    return messageIds(survivor.received());
  }

  /**
   * Relay processes killed with SIGKILL one after another, each in the middle of its batches (its
   * sender has printed some of a batch's messages, none acknowledged): a survivor delivers what
   * they left once their leases end, nothing is lost and every key stays in order; what a killed
   * relay had sent but not acknowledged is sent again, as at least once allows.
   */
  @Test
  public final void relaysKilledMidBatchOneAfterAnotherLoseNothingAndKeepEveryKeyInOrder()
      throws Exception {
    LinkedHashMap<UUID, String> committed = enlistKeyed(600, 40);
    List<UUID> delivered =
        new ArrayList<>(
            RelayProcess.sentBeforeKills(
                5, 45, 7, sent -> RelayProcess.startDelivering(db, dialect, tables, sent)));
    assertThat(leasedRows()).as("the killed relays left claims behind").isPositive();

    clock.advance(RelayProcess.LEASE.plusMinutes(1));
    delivered.addAll(drainedByASurvivor());
    assertThat(rowsWithStatus(1)).isEqualTo(600);
    FaultFigures f = faults("sigkill-mid-batch-x5", committed, delivered);
    f.assertNoneLostNoneOutOfOrder();
    assertThat(f.duplicates())
        .as("what the killed relays sent without acknowledging went out again")
        .isPositive();
  }

  /**
   * A relay whose sender answers after its lease expired gets its acknowledgement refused by the
   * fence (counted as {@code outbox.acks.fenced}); the relay that claimed the batch after the lease
   * delivers it: sent twice, lost never.
   */
  @Test
  public final void aLateAckIsFencedAndTheBatchIsDeliveredTwiceNeverLost() throws Exception {
    LinkedHashMap<UUID, String> committed = enlistKeyed(30, 3);
    BlockingSender slow = new BlockingSender();
    CompletableFuture<Integer> lateCycle =
        cycleOutlivingItsLease(relayBuilder(slow).name("late"), slow);
    List<OutboxRecord> lateBatch = slow.awaitBatch(Duration.ofSeconds(10));
    List<UUID> delivered = new ArrayList<>(messageIds(lateBatch));
    delivered.addAll(drainedByASurvivor());
    slow.release();
    assertThat(lateCycle.get(10, TimeUnit.SECONDS)).isEqualTo(lateBatch.size());
    assertThat(rowsWithStatus(1)).isEqualTo(30);
    FaultFigures f = faults("late-ack-fenced", committed, delivered);
    f.assertNoneLostNoneOutOfOrder();
    assertThat(f.duplicates())
        .as("the late relay's batch went out twice")
        .isEqualTo(lateBatch.size());
  }

  /** Batch of a killed relay process is delivered by another after the lease. */
  @Test
  public final void batchOfAKilledRelayProcessIsDeliveredByAnotherAfterTheLease() throws Exception {
    List<UUID> enlisted = enlistMany(20, "t", null);
    Process child = RelayProcess.start(db, dialect, tables);
    try {
      assertThat(RelayProcess.awaitClaim(child)).isEqualTo("CLAIMED 20");
    } finally {
      RelayProcess.kill(child); // SIGKILL: no shutdown hook, no ack, no lease release
    }
    assertThat(rowsWithStatus(0)).isEqualTo(20);

    RecordingSender survivor = new RecordingSender();
    OutboxRelay relay = relay(survivor);
    assertThat(relay.runOnce()).as("the dead process's lease is still live").isZero();
    clock.advance(RelayProcess.LEASE.plusMinutes(1));
    assertThat(relay.runOnce()).isEqualTo(20);
    assertThat(survivor.received())
        .extracting(OutboxRecord::messageId)
        .containsExactlyElementsOf(enlisted);
    assertThat(survivor.received()).extracting(OutboxRecord::attempt).containsOnly(2);
    assertThat(rowsWithStatus(1)).isEqualTo(20);
  }
}
