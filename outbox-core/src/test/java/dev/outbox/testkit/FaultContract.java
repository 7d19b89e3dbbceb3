package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Backoff;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.RelayException;
import dev.outbox.Sender;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Crashes and outages: a relay process killed mid-batch, database connections cut mid-cycle. */
public abstract class FaultContract extends OutboxContractSupport {

  /**
   * A sender that records every record it is handed and sends it; at its first batch it cuts the
   * database off (through {@code proxy}) for {@code outage}, so that the database goes away between
   * that batch's send and its acknowledgement.
   */
  private static Sender cuttingTheDatabaseOnce(
      TcpProxy proxy, Duration outage, List<UUID> delivered) {
    AtomicBoolean cutOnce = new AtomicBoolean();
    return batch -> {
      batch.forEach(r -> delivered.add(r.messageId()));
      if (cutOnce.compareAndSet(false, true)) {
        proxy.cut();
        CompletableFuture.delayedExecutor(outage.toMillis(), TimeUnit.MILLISECONDS)
            .execute(proxy::restore);
      }
      return CompletableFuture.completedFuture(Outcome.allSent(batch));
    };
  }

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
                    cuttingTheDatabaseOnce(proxy, Duration.ofMillis(3000), delivered))
                .schema(tables.schema())
                .table(tables.table())
                .name("outage")
                .batchSize(50)
                .pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(3))
                .sendTimeout(Duration.ofSeconds(2))
                .errorListener((name, e) -> errors.add(e))
                .build());
    relay.start();
    await(Duration.ofSeconds(60), "all sent", () -> unchecked(() -> rowsWithStatus(1)) == 200);
    assertThat(errors).as("the outage was reported").isNotEmpty();
    assertThat(errors).allMatch(RelayException::isTransient);
    assertThat(delivered).containsAll(enlisted);
    assertThat(RelayThreads.named("outage")).isNotEmpty();
  }

  @ParameterizedTest(name = "the sender {0}")
  @ValueSource(strings = {"throws", "reports"})
  public final void aBrokerOutageLongerThanTheRetriesDeadLettersNothingAndDeliveryResumes(
      String how) throws Exception {
    List<UUID> enlisted = enlistMany(40, "t", null);
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
    await(Duration.ofSeconds(10), "all sent", () -> unchecked(() -> rowsWithStatus(1)) == 40);
    Duration resumedIn = Duration.ofNanos(System.nanoTime() - back);
    assertThat(resumedIn)
        .as("delivery resumes within a probe interval")
        .isLessThan(Duration.ofSeconds(2));
    assertThat(delivered).containsExactlyInAnyOrderElementsOf(enlisted);
    assertThat(deadRows()).isZero();
  }

  @Test
  public final void aFailedAckIsTriedAgainWithinTheLeaseSoAShortOutageSendsNothingTwice()
      throws Exception {
    List<UUID> enlisted = enlistMany(60, "t", null);
    TcpProxy proxy = closeAfterTest(new TcpProxy(db.hostAndPort()));
    HikariDataSource viaProxy =
        closeAfterTest(db.dataSource(db.jdbcUrlVia("127.0.0.1", proxy.port()), "via-proxy", 4));
    viaProxy.getHikariConfigMXBean().setConnectionTimeout(500);
    List<RelayException> errors = new CopyOnWriteArrayList<>();
    List<UUID> delivered = new CopyOnWriteArrayList<>();
    OutboxRelay relay =
        closeAfterTest(
            OutboxRelay.builder(
                    viaProxy,
                    dialect,
                    cuttingTheDatabaseOnce(proxy, Duration.ofMillis(1500), delivered))
                .schema(tables.schema())
                .table(tables.table())
                .name("short-outage")
                .batchSize(20)
                .pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(30))
                .sendTimeout(Duration.ofSeconds(5))
                .errorListener((name, e) -> errors.add(e))
                .build());
    relay.start();
    await(Duration.ofSeconds(30), "all sent", () -> unchecked(() -> rowsWithStatus(1)) == 60);
    assertThat(errors).as("the failed acks were reported").isNotEmpty();
    assertThat(delivered)
        .as("the ack was tried again until the database was back: nothing was sent twice")
        .containsExactlyInAnyOrderElementsOf(enlisted);
  }

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
