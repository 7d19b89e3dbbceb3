package dev.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.internal.GatedSender;
import dev.outbox.internal.InMemoryDialect;
import dev.outbox.internal.MutableClock;
import dev.outbox.internal.NoDatabase;
import dev.outbox.internal.Relays;
import dev.outbox.internal.ScriptedSender;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@link OutboxRelay}'s start, runOnce and close promise, on rows in memory. */
class OutboxRelayLifecycleTest {
  private static final Duration LEASE = Duration.ofSeconds(60);

  private MutableClock clock;
  private InMemoryDialect dialect;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    dialect = new InMemoryDialect(clock);
  }

  private OutboxRelay.Builder relay(Sender sender) {
    return OutboxRelay.builder(new NoDatabase(), dialect, sender)
        .name("unit")
        .clock(clock)
        .openTelemetry(OpenTelemetry.noop())
        .pollInterval(Duration.ofMillis(50))
        .leaseDuration(LEASE)
        .sendTimeout(Duration.ofSeconds(30));
  }

  @Test
  void runOnceDeliversTheDueMessagesAndReturnsHowManyItClaimed() {
    dialect.add("-x");
    dialect.add("a1");
    ScriptedSender sender = ScriptedSender.sendingAll();
    OutboxRelay relay = relay(sender).build();

    assertThat(relay.runOnce()).isEqualTo(2);
    assertThat(relay.runOnce()).isZero();
    assertThat(dialect.sent()).containsExactly("-x", "a1");
    relay.close();
  }

  @Test
  void closeWaitsForTheBatchInFlightAndAcknowledgesIt() throws Exception {
    long id = dialect.add("-x");
    GatedSender sender = new GatedSender();
    OutboxRelay relay = relay(sender).shutdownTimeout(Duration.ofSeconds(10)).build();
    relay.start();
    Relays.await("the batch is with the sender", () -> sender.holding() == 1);

    Thread closer = new Thread(relay::close);
    closer.start();
    closer.join(200);
    assertThat(closer.isAlive()).as("close waits for the batch in flight").isTrue();
    sender.releaseOne();
    closer.join(5_000);

    assertThat(closer.isAlive()).isFalse();
    assertThat(dialect.row(id).sent).isTrue();
  }

  @Test
  void closeGivesUpOnABatchThatOutlastsTheShutdownTimeoutAndLeavesItLeasedForLater()
      throws Exception {
    long id = dialect.add("-x");
    GatedSender stuck = new GatedSender();
    OutboxRelay relay = relay(stuck).shutdownTimeout(Duration.ofMillis(200)).build();
    relay.start();
    Relays.await("the batch is with the sender", () -> stuck.holding() == 1);

    long started = System.nanoTime();
    relay.close();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).isBetween(Duration.ofMillis(200), Duration.ofSeconds(4));
    assertThat(dialect.row(id).sent).isFalse();
    assertThat(dialect.row(id).leaseUntil).isEqualTo(clock.instant().plus(LEASE));
    assertThat(dialect.row(id).attempts).isOne();

    clock.advance(LEASE);
    ScriptedSender next = ScriptedSender.sendingAll();
    OutboxRelay successor = relay(next).build();
    assertThat(successor.runOnce()).isOne();
    assertThat(dialect.row(id).attempts).isEqualTo(2);
    assertThat(dialect.row(id).sent).isTrue();
    successor.close();
  }

  @Test
  void aClosedRelayClaimsNothingMoreAndRefusesToRunOnceOrStart() throws Exception {
    OutboxRelay relay = relay(ScriptedSender.sendingAll()).build();
    relay.start();
    Relays.await("the relay polls", () -> !dialect.claims.isEmpty());
    relay.close();
    int claims = dialect.claims.size();
    dialect.add("-x");

    Thread.sleep(100); // two poll intervals in which a live loop would claim it
    assertThat(dialect.claims).hasSize(claims);
    assertThat(dialect.pending()).containsExactly("-x");
    assertThatThrownBy(relay::runOnce).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(relay::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    relay.close(); // a second close is harmless
  }
}
