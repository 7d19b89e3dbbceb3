package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.Backoff;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** One relay's claim-send-ack cycle: outcomes, retries, backoff, dead letters, fencing, close. */
public abstract class RelayContract extends OutboxContractSupport {

  /** Backoff that is exactly {@code attempt} seconds, so a test can step over it precisely. */
  private static final Backoff ATTEMPT_SECONDS = attempt -> Duration.ofSeconds(attempt);

  /** No transaction or connection is held while the sender runs. */
  @Test
  public final void noTransactionOrConnectionIsHeldWhileTheSenderRuns() throws Exception {
    enlistMany(5, "t", null);
    AtomicReference<String> problem = new AtomicReference<>("sender never ran");
    OutboxRelay relay =
        relay(
            batch -> {
              problem.set(checkNothingHeld(batch));
              return CompletableFuture.completedFuture(Outcome.allSent(batch));
            });
    assertThat(relay.runOnce()).isEqualTo(5);
    assertThat(problem.get()).isNull();
  }

  /**
   * Null when the batch's rows are committed as leased and lockable by anyone; else the problem.
   */
  private String checkNothingHeld(List<OutboxRecord> batch) {
    int active = dataSource.getHikariPoolMXBean().getActiveConnections();
    if (active != 0) {
      return active + " connection(s) of the relay's pool are in use during send";
    }
    String ids = batch.stream().map(r -> Long.toString(r.id())).collect(Collectors.joining(","));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id FROM "
                      + messageTable()
                      + " WHERE id IN ("
                      + ids
                      + ") AND lease_token IS NOT NULL FOR UPDATE NOWAIT");
          ResultSet rs = ps.executeQuery()) {
        int leased = 0;
        while (rs.next()) {
          leased++;
        }
        c.rollback();
        return leased == batch.size() ? null : "only " + leased + " rows are visibly leased";
      }
    } catch (SQLException e) {
      return "rows are still locked by the claim: " + e.getMessage();
    }
  }

  /** Retry outcome reschedules after the backoff and records attempts and error. */
  @Test
  public final void retryOutcomeReschedulesAfterTheBackoffAndRecordsAttemptsAndError()
      throws Exception {
    enlist(OutboxMessage.of("t", "k", "x"));
    RecordingSender sender = new RecordingSender().answering(r -> Outcome.retry(r, nacked()));
    OutboxRelay relay = closeAfterTest(relayBuilder(sender).backoff(ATTEMPT_SECONDS).build());

    for (int attempt = 1; attempt <= 3; attempt++) {
      assertThat(relay.runOnce()).as("attempt %d claims the message", attempt).isEqualTo(1);
      assertThat(queryLong("SELECT attempts FROM " + messageTable())).isEqualTo(attempt);
      assertThat(lastError()).contains("nacked");
      assertThat(queryLong("SELECT count(*) FROM " + messageTable() + " WHERE lease_token IS NULL"))
          .as("the lease is released")
          .isEqualTo(1);
      clock.advance(Duration.ofSeconds(attempt).minusMillis(1));
      assertThat(relay.runOnce()).as("not due before its backoff of %d s", attempt).isZero();
      clock.advance(Duration.ofMillis(1));
    }
    assertThat(sender.received()).extracting(OutboxRecord::attempt).containsExactly(1, 2, 3);
  }

  /** A retry that is the message's own: the broker refused this one message for now. */
  private static Exception nacked() {
    return new IllegalStateException("nacked by the broker");
  }

  /** Exponential backoff with jitter stays within its cap. */
  @Test
  public final void exponentialBackoffWithJitterStaysWithinItsCap() throws Exception {
    enlist(OutboxMessage.of("t", "k", "x"));
    RecordingSender sender = new RecordingSender().answering(r -> Outcome.retry(r, nacked()));
    Duration cap = Duration.ofSeconds(4);
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(sender)
                .backoff(Backoff.exponential(Duration.ofSeconds(1), cap))
                .maxAttempts(100)
                .build());
    for (int attempt = 1; attempt <= 8; attempt++) {
      assertThat(relay.runOnce()).isEqualTo(1);
      Duration ceiling = Duration.ofSeconds(Math.min(1L << (attempt - 1), cap.getSeconds()));
      clock.advance(ceiling);
      // Whatever the jitter chose, the message is due again once the ceiling has passed.
    }
    assertThat(sender.received()).hasSize(8);
  }

  /** Message is dead lettered with the reason after max attempts. */
  @Test
  public final void messageIsDeadLetteredWithTheReasonAfterMaxAttempts() throws Exception {
    enlist(OutboxMessage.of("t", "k", "x"));
    RecordingSender sender = new RecordingSender().answering(r -> Outcome.retry(r, nacked()));
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(sender).maxAttempts(3).backoff(Backoff.fixed(Duration.ZERO)).build());
    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(relay.runOnce()).isZero();
    assertThat(messageRows()).isZero();
    assertThat(deadRows()).isEqualTo(1);
    assertThat(queryLong("SELECT attempts FROM " + deadTable())).isEqualTo(3);
    assertThat(deadReason()).contains("gave up after 3 attempts").contains("nacked");
  }

  /** Dead outcome dead letters at once and others in the batch are unaffected. */
  @Test
  public final void deadOutcomeDeadLettersAtOnceAndOthersInTheBatchAreUnaffected()
      throws Exception {
    enlist(OutboxMessage.of("t", "a", "poison"), OutboxMessage.of("t", "b", "fine"));
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r ->
                    r.payloadAsString().equals("poison")
                        ? Outcome.dead(r, "cannot be serialized")
                        : Outcome.sent(r));
    assertThat(relay(sender).runOnce()).isEqualTo(2);
    assertThat(deadRows()).isEqualTo(1);
    assertThat(deadReason()).isEqualTo("cannot be serialized");
    assertThat(queryLong("SELECT attempts FROM " + deadTable())).isEqualTo(1);
    assertThat(rowsWithStatus(1)).isEqualTo(1);
    assertThat(messageRows()).isEqualTo(1);
  }

  /**
   * A reason or error with a NUL character (PostgreSQL's text cannot hold one) is stored with the
   * character replaced, instead of failing the acknowledgement over and over.
   */
  @Test
  public final void aReasonWithANulCharacterIsStoredWithItReplaced() throws Exception {
    enlist(OutboxMessage.of("t", "a", "poison"), OutboxMessage.of("t", "b", "flaky"));
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r ->
                    r.payloadAsString().equals("poison")
                        ? Outcome.dead(r, "bad byte \u0000 here")
                        : Outcome.retry(r, new IllegalStateException("nul \u0000 in error")));
    assertThat(relay(sender).runOnce()).isEqualTo(2);
    assertThat(deadReason()).isEqualTo("bad byte \uFFFD here");
    assertThat(
            queryLong("SELECT count(*) FROM " + messageTable() + " WHERE last_error LIKE '%nul%'"))
        .isEqualTo(1);
  }

  /** Exception thrown by sender means retry. */
  @Test
  public final void exceptionThrownBySenderMeansRetry() throws Exception {
    enlist(OutboxMessage.of("t", "k", "x"));
    List<Exception> reported = new CopyOnWriteArrayList<>();
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(
                    batch -> {
                      throw new IllegalStateException("producer closed");
                    })
                .errorListener((name, e) -> reported.add(e))
                .build());
    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(lastError()).contains("producer closed");
    assertThat(rowsWithStatus(0)).isEqualTo(1);
    assertThat(reported).hasSize(1);
  }

  /** Exceptionally completed send means retry. */
  @Test
  public final void exceptionallyCompletedSendMeansRetry() throws Exception {
    enlist(OutboxMessage.of("t", "k", "x"));
    OutboxRelay relay =
        relay(batch -> CompletableFuture.failedFuture(new IOException("connection reset")));
    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(lastError()).contains("connection reset");
    assertThat(queryLong("SELECT attempts FROM " + messageTable()))
        .as("a batch failing as a whole is the broker's fault, not the message's: not counted")
        .isZero();
  }

  /** Send that times out means retry. */
  @Test
  public final void sendThatTimesOutMeansRetry() throws Exception {
    enlist(OutboxMessage.of("t", "k", "x"));
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(batch -> new CompletableFuture<>())
                .sendTimeout(Duration.ofMillis(200))
                .leaseDuration(Duration.ofSeconds(5))
                .build());
    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(lastError()).contains("sendTimeout");
    assertThat(queryLong("SELECT count(*) FROM " + messageTable() + " WHERE lease_token IS NULL"))
        .isEqualTo(1);
  }

  /** Message without an outcome is retried not left claimed. */
  @Test
  public final void messageWithoutAnOutcomeIsRetriedNotLeftClaimed() throws Exception {
    enlist(OutboxMessage.of("t", "a", "answered"), OutboxMessage.of("t", "b", "forgotten"));
    OutboxRelay relay =
        relay(batch -> CompletableFuture.completedFuture(List.of(Outcome.sent(batch.get(0)))));
    assertThat(relay.runOnce()).isEqualTo(2);
    assertThat(rowsWithStatus(1)).isEqualTo(1);
    assertThat(
            queryLong(
                "SELECT count(*) FROM "
                    + messageTable()
                    + " WHERE status = 0 AND lease_token IS NULL AND attempts = 1"))
        .isEqualTo(1);
    assertThat(lastError()).contains("no outcome");
  }

  /** Late ack from a relay whose lease was taken over changes nothing. */
  @Test
  public final void lateAckFromARelayWhoseLeaseWasTakenOverChangesNothing() throws Exception {
    enlist(OutboxMessage.of("t", "k", "x"));
    BlockingSender slow = new BlockingSender();
    CompletableFuture<Integer> firstCycle =
        cycleOutlivingItsLease(relayBuilder(slow).name("first"), slow);

    RecordingSender second =
        new RecordingSender()
            .answering(r -> Outcome.retry(r, new IllegalStateException("second failed")));
    assertThat(relayBuilder(second).name("second").build().runOnce())
        .as("the expired lease is taken over")
        .isEqualTo(1);

    slow.release();
    assertThat(firstCycle.get()).isEqualTo(1);
    assertThat(rowsWithStatus(1)).as("the first relay's late 'sent' was fenced off").isZero();
    assertThat(queryLong("SELECT attempts FROM " + messageTable())).isEqualTo(2);
    assertThat(lastError()).contains("second failed");
  }

  /** Close lets the in flight batch finish stops claiming and leaves no thread. */
  @Test
  public final void closeLetsTheInFlightBatchFinishStopsClaimingAndLeavesNoThread()
      throws Exception {
    enlistMany(3, "t", null);
    BlockingSender sender = new BlockingSender();
    OutboxRelay relay = relayBuilder(sender).name("closing").build();
    relay.start();
    sender.awaitBatch(Duration.ofSeconds(10));
    CompletableFuture<Void> closing = CompletableFuture.runAsync(relay::close);
    Thread.sleep(200);
    assertThat(closing).as("close waits for the in-flight batch").isNotDone();
    sender.release();
    closing.get();
    assertThat(rowsWithStatus(1)).as("the in-flight batch was acknowledged").isEqualTo(3);
    assertThat(RelayThreads.named("closing")).isEmpty();

    enlistMany(2, "t", null);
    Thread.sleep(300);
    assertThat(rowsWithStatus(0)).as("a closed relay claims nothing").isEqualTo(2);
    relay.close();
    assertThatThrownBy(relay::start).isInstanceOf(IllegalStateException.class);
  }

  /** Close is bounded even when the sender never answers. */
  @Test
  public final void closeIsBoundedEvenWhenTheSenderNeverAnswers() throws Exception {
    enlistMany(2, "t", null);
    BlockingSender stuck = new BlockingSender();
    OutboxRelay relay =
        relayBuilder(stuck)
            .name("stuck")
            .shutdownTimeout(Duration.ofMillis(200))
            .sendTimeout(Duration.ofSeconds(60))
            .leaseDuration(Duration.ofSeconds(90))
            .build();
    relay.start();
    stuck.awaitBatch(Duration.ofSeconds(10));
    long start = System.nanoTime();
    relay.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    assertThat(RelayThreads.named("stuck")).isEmpty();
    assertThat(rowsWithStatus(0)).as("the abandoned batch is still pending").isEqualTo(2);
  }

  /** Invalid settings are refused at build naming the setting. */
  @Test
  public final void invalidSettingsAreRefusedAtBuildNamingTheSetting() {
    RecordingSender s = new RecordingSender();
    assertThatThrownBy(() -> relayBuilder(s).batchSize(0).build())
        .hasMessageContaining("batchSize")
        .hasMessageContaining("10000");
    assertThatThrownBy(() -> relayBuilder(s).maxAttempts(0).build())
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(
            () ->
                relayBuilder(s)
                    .sendTimeout(Duration.ofSeconds(30))
                    .leaseDuration(Duration.ofSeconds(30))
                    .build())
        .hasMessageContaining("leaseDuration")
        .hasMessageContaining("sendTimeout");
    assertThatThrownBy(() -> relayBuilder(s).pollInterval(Duration.ZERO).build())
        .hasMessageContaining("pollInterval");
    assertThatThrownBy(() -> relayBuilder(s).name("has space").build())
        .hasMessageContaining("name");
  }

  private String lastError() throws SQLException {
    return queryString(
        "SELECT last_error FROM " + messageTable() + " WHERE last_error IS NOT NULL");
  }

  private String deadReason() throws SQLException {
    return queryString("SELECT reason FROM " + deadTable());
  }
}
