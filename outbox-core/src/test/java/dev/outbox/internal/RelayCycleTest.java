package dev.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.Backoff;
import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.RelayException;
import dev.outbox.spi.AdminSupport;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The decisions of one claim-send-ack cycle, on rows in memory. */
class RelayCycleTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  private MutableClock clock;
  private InMemoryDialect dialect;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(START);
    dialect = new InMemoryDialect(clock);
  }

  private static List<String> names(List<OutboxRecord> records) {
    return records.stream().map(OutboxRecord::payloadAsString).toList();
  }

  private static Function<OutboxRecord, Outcome> failing(String name, Throwable cause) {
    return r -> r.payloadAsString().equals(name) ? Outcome.retry(r, cause) : Outcome.sent(r);
  }

  // ---- claim and lease ----

  @Test
  void claimedMessagesAreNotClaimedByAnotherRelayWhileTheirLeaseLasts() {
    dialect.add("-x");
    dialect.add("-y");
    RelaySettings settings = Relays.settings(Ordering.NONE, clock);
    RelayCycle one = Relays.cycle(dialect, ScriptedSender.sendingAll(), settings);
    RelayCycle two = Relays.cycle(dialect, ScriptedSender.sendingAll(), settings);

    RelayCycle.Claimed first = one.claim(10);
    clock.advance(Relays.LEASE.minusSeconds(1));

    assertThat(names(first.records())).containsExactly("-x", "-y");
    assertThat(first.records()).allMatch(r -> r.attempt() == 1);
    assertThat(first.leaseUntil()).isEqualTo(START.plus(Relays.LEASE));
    assertThat(two.claim(10).records()).isEmpty();
  }

  @Test
  void messagesWhoseLeaseExpiredAreClaimedAgainAndTheAttemptIsCounted() {
    dialect.add("-x");
    RelaySettings settings = Relays.settings(Ordering.NONE, clock);
    Relays.cycle(dialect, ScriptedSender.sendingAll(), settings).claim(10);

    clock.advance(Relays.LEASE);
    RelayCycle.Claimed again =
        Relays.cycle(dialect, ScriptedSender.sendingAll(), settings).claim(10);

    assertThat(names(again.records())).containsExactly("-x");
    assertThat(again.records().get(0).attempt()).isEqualTo(2);
  }

  @Test
  void anAckFromARelayWhoseLeaseWasTakenOverChangesNothing() throws Exception {
    long id = dialect.add("-x");
    RelaySettings settings = Relays.settings(Ordering.NONE, clock);
    ScriptedSender slow = ScriptedSender.sendingAll();
    RelayCycle late = Relays.cycle(dialect, slow, settings);
    RelayCycle other = Relays.cycle(dialect, ScriptedSender.sendingAll(), settings);

    RelayCycle.Flight lateFlight = late.send(late.claim(10));
    clock.advance(Relays.LEASE.plusSeconds(1));
    RelayCycle.Claimed taken = other.claim(10);
    late.finish(lateFlight);

    assertThat(dialect.row(id).sent).as("the late ack was fenced off").isFalse();
    assertThat(dialect.row(id).leaseToken).isEqualTo(taken.token());

    other.finish(other.send(taken));
    assertThat(dialect.sent()).containsExactly("-x");
  }

  @Test
  void aFullBatchAsksToClaimAgainAtOnceAndAShortOneDoesNot() {
    dialect.add("-x");
    dialect.add("-y");
    dialect.add("-z");
    RelayCycle cycle =
        Relays.cycle(dialect, ScriptedSender.sendingAll(), Relays.settings(Ordering.NONE, clock));

    assertThat(cycle.claim(2).again()).isTrue();
    assertThat(cycle.claim(2).again()).isFalse();
  }

  @Test
  void aMessageNotYetDueIsNotClaimed() throws Exception {
    dialect.add("-x");
    RelayCycle cycle =
        Relays.cycle(
            dialect,
            new ScriptedSender(r -> Outcome.retry(r, new IllegalStateException("no")), false),
            Relays.settings(Ordering.NONE, clock, 10, 1, 10, Backoff.fixed(Duration.ofSeconds(5))));
    cycle.run();

    assertThat(cycle.run().claimed()).isZero();
    clock.advance(Duration.ofSeconds(5));
    assertThat(cycle.run().claimed()).isOne();
  }

  @Test
  void underPerKeyAKeyWithMessagesInFlightIsNotClaimedByAnotherRelay() {
    dialect.add("a1");
    dialect.add("a2");
    RelaySettings settings = Relays.settings(Ordering.PER_KEY, clock);
    RelayCycle.Claimed inFlight =
        Relays.cycle(dialect, ScriptedSender.sendingAll(), settings).claim(10);
    dialect.add("a3");
    dialect.add("b1");

    RelayCycle.Claimed next =
        Relays.cycle(dialect, ScriptedSender.sendingAll(), settings).claim(10);

    assertThat(names(inFlight.records())).containsExactly("a1", "a2");
    assertThat(names(next.records())).containsExactly("b1");
  }

  @Test
  void aPausedTopicIsNotClaimedAndWithEveryTopicPausedNothingIsClaimedAtAll() {
    dialect.add("orders", "k1", "order");
    dialect.add("mail", "k2", "mail");
    dialect.pause("orders");
    RelaySettings settings = Relays.settings(Ordering.PER_KEY, clock);

    RelayCycle.Claimed claimed =
        Relays.cycle(dialect, ScriptedSender.sendingAll(), settings).claim(10);
    assertThat(names(claimed.records())).containsExactly("mail");
    assertThat(dialect.claims.get(0).pausedTopics()).containsExactly("orders");

    dialect.pause(AdminSupport.ALL_TOPICS);
    int claimsBefore = dialect.claims.size();
    clock.advance(Relays.LEASE);
    RelayCycle.Claimed none =
        Relays.cycle(dialect, ScriptedSender.sendingAll(), settings).claim(10);
    assertThat(none.records()).isEmpty();
    assertThat(dialect.claims).as("the dialect was not even asked").hasSize(claimsBefore);
  }

  // ---- retries, backoff and dead letters ----

  @Test
  void aRetryChargesTheAttemptAndMakesTheMessageDueAfterTheBackoff() throws Exception {
    long id = dialect.add("-x");
    ScriptedSender sender =
        new ScriptedSender(failing("-x", new IllegalStateException("refused")), false);
    RelayCycle cycle =
        Relays.cycle(
            dialect,
            sender,
            Relays.settings(
                Ordering.NONE, clock, 10, 1, 10, Backoff.fixed(Duration.ofSeconds(30))));

    cycle.run();

    InMemoryDialect.Row row = dialect.row(id);
    assertThat(row.attempts).isEqualTo(1);
    assertThat(row.nextAttemptAt).isEqualTo(START.plusSeconds(30));
    assertThat(row.lastError).contains("IllegalStateException: refused");
    assertThat(row.leaseToken).isNull();
    clock.advance(Duration.ofSeconds(29));
    assertThat(cycle.run().claimed()).isZero();
    clock.advance(Duration.ofSeconds(1));
    sender.answer(Outcome::sent);
    assertThat(cycle.run().claimed()).isOne();
    assertThat(dialect.sent()).containsExactly("-x");
    assertThat(dialect.row(id).attempts).isEqualTo(2);
  }

  @Test
  void aMessageRetriedOnItsLastAttemptGoesToTheDeadLetters() throws Exception {
    dialect.add("-x");
    RelayCycle cycle =
        Relays.cycle(
            dialect,
            new ScriptedSender(failing("-x", new IllegalStateException("refused")), false),
            Relays.settings(Ordering.NONE, clock, 10, 1, 3, Backoff.fixed(Duration.ZERO)));

    cycle.run();
    cycle.run();
    assertThat(dialect.deadLetters()).isEmpty();
    cycle.run();

    assertThat(dialect.pending()).isEmpty();
    assertThat(dialect.deadLetters())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.attempts()).isEqualTo(3);
              assertThat(d.reason()).startsWith("gave up after 3 attempts; last error: ");
              assertThat(d.reason()).contains("refused");
            });
    assertThat(cycle.run().claimed()).isZero();
  }

  @Test
  void aDeadOutcomeDeadLettersTheMessageAtOnceWithTheSendersReason() throws Exception {
    dialect.add("-x");
    dialect.add("-y");
    RelayCycle cycle =
        Relays.cycle(
            dialect,
            new ScriptedSender(
                r -> r.payloadAsString().equals("-x") ? Outcome.dead(r, "poison") : Outcome.sent(r),
                false),
            Relays.settings(Ordering.NONE, clock));

    cycle.run();

    assertThat(dialect.deadLetters())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.payload()).isEqualTo("-x");
              assertThat(d.reason()).isEqualTo("poison");
              assertThat(d.attempts()).isEqualTo(1);
            });
    assertThat(dialect.sent()).containsExactly("-y");
  }

  // ---- per-key holds ----

  @Test
  void aRetriedMessageHoldsBackItsKeyAndItsLaterMessagesAreNeverHandedToTheSender()
      throws Exception {
    for (String name : List.of("a1", "a2", "a3", "b1")) {
      dialect.add(name);
    }
    ScriptedSender sender =
        new ScriptedSender(failing("a1", new IllegalStateException("refused")), false);
    RelayCycle cycle =
        Relays.cycle(
            dialect,
            sender,
            Relays.settings(
                Ordering.PER_KEY, clock, 10, 1, 10, Backoff.fixed(Duration.ofSeconds(10))));

    assertThat(cycle.run().claimed()).isEqualTo(4);

    assertThat(sender.handed()).containsExactlyInAnyOrder("a1", "b1");
    assertThat(dialect.sent()).containsExactly("b1");
    assertThat(dialect.row("a1").attempts).isEqualTo(1);
    assertThat(dialect.row("a1").nextAttemptAt).isEqualTo(START.plusSeconds(10));
    for (String heldBack : List.of("a2", "a3")) {
      assertThat(dialect.row(heldBack).attempts).as("attempt given back").isZero();
      assertThat(dialect.row(heldBack).nextAttemptAt).isEqualTo(START);
      assertThat(dialect.row(heldBack).lastError).startsWith("held back");
    }

    assertThat(cycle.run().claimed()).as("the key's head is not due").isZero();
    clock.advance(Duration.ofSeconds(10));
    sender.answer(Outcome::sent);
    assertThat(cycle.run().claimed()).isEqualTo(3);

    assertThat(sender.handed().stream().filter(n -> n.startsWith("a")))
        .containsExactly("a1", "a1", "a2", "a3");
    assertThat(dialect.pending()).isEmpty();
  }

  @Test
  void aSenderThatAcceptsRunsCannotHaveALaterMessageOfARetriedKeyMarkedSent() throws Exception {
    dialect.add("a1");
    dialect.add("a2");
    ScriptedSender sender =
        new ScriptedSender(failing("a1", new IllegalStateException("refused")), true);
    RelayCycle cycle = Relays.cycle(dialect, sender, Relays.settings(Ordering.PER_KEY, clock));

    cycle.run();

    assertThat(sender.calls).containsExactly(List.of("a1", "a2"));
    assertThat(dialect.sent()).as("a2 was reported sent, but after a1 failed").isEmpty();
    assertThat(dialect.row("a2").attempts).isZero();
    assertThat(dialect.row("a1").attempts).isOne();
  }

  @Test
  void aDeadMessageDoesNotHoldBackItsKey() throws Exception {
    dialect.add("a1");
    dialect.add("a2");
    ScriptedSender sender =
        new ScriptedSender(
            r -> r.payloadAsString().equals("a1") ? Outcome.dead(r, "poison") : Outcome.sent(r),
            false);
    RelayCycle cycle = Relays.cycle(dialect, sender, Relays.settings(Ordering.PER_KEY, clock));

    cycle.run();

    assertThat(sender.calls).containsExactly(List.of("a1"), List.of("a2"));
    assertThat(dialect.deadLetters())
        .extracting(InMemoryDialect.DeadRow::payload)
        .containsExactly("a1");
    assertThat(dialect.sent()).containsExactly("a2");
  }

  @Test
  void withoutOrderingARetriedMessageHoldsBackNothing() throws Exception {
    dialect.add("a1");
    dialect.add("a2");
    ScriptedSender sender =
        new ScriptedSender(failing("a1", new IllegalStateException("refused")), false);
    RelayCycle cycle = Relays.cycle(dialect, sender, Relays.settings(Ordering.NONE, clock));

    cycle.run();

    assertThat(sender.calls).containsExactly(List.of("a1", "a2"));
    assertThat(dialect.sent()).containsExactly("a2");
  }

  // ---- the broker away ----

  @Test
  void aBatchTheBrokerRefusedAsAWholeIsDueAgainAtOnceWithoutChargingAnAttempt() throws Exception {
    long id = dialect.add("-x");
    dialect.add("-y");
    List<RelayException> reports = new ArrayList<>();
    ScriptedSender sender =
        new ScriptedSender(r -> Outcome.retry(r, new ConnectException("refused")), false);
    RelayCycle cycle =
        Relays.cycle(
            dialect,
            sender,
            Relays.settings(Ordering.NONE, clock, 10, 1, 1, Backoff.fixed(Duration.ofMinutes(5))),
            reports);

    for (int i = 0; i < 3; i++) {
      RelayCycle.Result result = cycle.run();
      assertThat(result.brokerAway()).isTrue();
      assertThat(result.claimAgain()).isFalse();
    }

    assertThat(dialect.deadLetters()).as("maxAttempts is 1, yet nothing died").isEmpty();
    assertThat(dialect.row(id).attempts).isZero();
    assertThat(dialect.row(id).nextAttemptAt).isEqualTo(START);
    assertThat(dialect.row(id).lastError).startsWith("the broker was away for the whole batch");
    sender.answer(Outcome::sent);
    assertThat(cycle.run().brokerAway()).isFalse();
    assertThat(dialect.sent()).containsExactly("-x", "-y");
  }

  @Test
  void aSenderThatThrowsFailsTheBatchAsTheBrokerAwayAndIsReported() throws Exception {
    long id = dialect.add("-x");
    List<RelayException> reports = new ArrayList<>();
    RelayCycle cycle =
        Relays.cycle(
            dialect,
            batch -> {
              throw new IllegalStateException("producer closed");
            },
            Relays.settings(Ordering.NONE, clock),
            reports);

    assertThat(cycle.run().brokerAway()).isTrue();

    assertThat(dialect.row(id).attempts).isZero();
    assertThat(reports).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("threw"));
  }

  @Test
  void aBatchPartlyDeliveredIsNotTheBrokerAwayAndItsFailuresAreCharged() throws Exception {
    dialect.add("-x");
    long failed = dialect.add("-y");
    RelayCycle cycle =
        Relays.cycle(
            dialect,
            new ScriptedSender(failing("-y", new IOException("reset")), false),
            Relays.settings(Ordering.NONE, clock));

    assertThat(cycle.run().brokerAway()).isFalse();

    assertThat(dialect.row(failed).attempts).isOne();
    assertThat(dialect.sent()).containsExactly("-x");
  }
}
