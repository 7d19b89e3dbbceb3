package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.Ordering;
import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.Overview;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scheduled messages ({@link OutboxMessage.Builder#deliverAt}, {@link
 * OutboxMessage.Builder#delay}): never handed to the sender before their time by the relay's clock,
 * handed over once it has come, and, under per-key order, holding back the later messages of their
 * key until they are sent. The clock is the tests' {@link MutableClock}, shared by the outbox and
 * the relay, so no test waits for time to pass.
 */
public abstract class ScheduledContract extends OutboxContractSupport {

  private OutboxRelay relay(RecordingSender sender, Ordering ordering) {
    return closeAfterTest(relayBuilder(sender).ordering(ordering).build());
  }

  private static List<String> payloads(List<OutboxRecord> records) {
    return records.stream().map(OutboxRecord::payloadAsString).toList();
  }

  /** Runs cycles until one claims nothing; returns what the sender got in them. */
  private static List<String> drainNew(OutboxRelay relay, RecordingSender sender) {
    int before = sender.received().size();
    drain(relay);
    List<OutboxRecord> all = sender.received();
    return payloads(all.subList(before, all.size()));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Ordering.class)
  public final void aDelayedMessageIsSentAtItsTimeNotBefore(Ordering ordering) throws Exception {
    enlist(
        OutboxMessage.builder("t").payload("later").delay(Duration.ofSeconds(10)).build(),
        OutboxMessage.builder("t").payload("now").build());
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender, ordering);

    assertThat(drainNew(relay, sender)).containsExactly("now");
    clock.advance(Duration.ofMillis(9_999));
    assertThat(drainNew(relay, sender)).as("a millisecond before its time").isEmpty();
    // A relay releases scheduled messages every 200 ms of its clock: the first claim after that.
    clock.advance(Duration.ofMillis(1).plus(Duration.ofMillis(200)));
    assertThat(drainNew(relay, sender)).as("once its time has come").containsExactly("later");
    assertThat(rowsWithStatus(1)).isEqualTo(2);
  }

  @Test
  public final void deliverAtIsAnInstantOnTheRelaysClockAndThePastMeansNow() throws Exception {
    Instant start = clock.instant();
    enlist(
        OutboxMessage.builder("t").payload("at+60s").deliverAt(start.plusSeconds(60)).build(),
        OutboxMessage.builder("t").payload("at-60s").deliverAt(start.minusSeconds(60)).build());
    assertThat(queryLong("SELECT count(*) FROM " + messageTable() + " WHERE scheduled"))
        .as("only the message in the future is stored as scheduled")
        .isEqualTo(1);
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender, Ordering.NONE);
    assertThat(drainNew(relay, sender)).containsExactly("at-60s");
    clock.advance(Duration.ofSeconds(59));
    assertThat(drainNew(relay, sender)).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(drainNew(relay, sender)).containsExactly("at+60s");
  }

  /**
   * Under per-key order a delayed head holds its key back: the later messages of the key wait for
   * it, other keys and unkeyed messages do not.
   */
  @Test
  public final void underPerKeyOrderADelayedMessageHoldsBackItsKey() throws Exception {
    enlist(
        OutboxMessage.builder("t")
            .key("a")
            .payload("a1-delayed")
            .delay(Duration.ofMinutes(5))
            .build(),
        OutboxMessage.of("t", "a", "a2"),
        OutboxMessage.of("t", "b", "b1"),
        OutboxMessage.of("t", null, "u1"),
        OutboxMessage.of("t", "a", "a3"));
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender, Ordering.PER_KEY);

    assertThat(drainNew(relay, sender)).containsExactlyInAnyOrder("b1", "u1");
    OutboxAdmin admin =
        OutboxAdmin.builder(dataSource, dialect).tables(tables).clock(clock).build();
    assertThat(admin.key("a").verdict())
        .as("what an operator is told about the held-back key")
        .contains("is scheduled for", "(300s)", "2 more wait behind it");
    clock.advance(Duration.ofMinutes(4));
    assertThat(drainNew(relay, sender)).as("before the head's time").isEmpty();
    clock.advance(Duration.ofMinutes(1));
    assertThat(drainNew(relay, sender)).containsExactly("a1-delayed", "a2", "a3");
  }

  /**
   * A retried scheduled head keeps holding its key back until it is sent. (Another key's message is
   * sent beside it, so that the retry is one record's failure, not a whole batch's, which the relay
   * would take for an absent broker and count no attempt for.)
   */
  @Test
  public final void aRetriedScheduledHeadStillHoldsItsKey() throws Exception {
    enlist(
        OutboxMessage.builder("t").key("a").payload("a1").delay(Duration.ofSeconds(30)).build(),
        OutboxMessage.of("t", "a", "a2"),
        OutboxMessage.builder("t").key("b").payload("b1").delay(Duration.ofSeconds(30)).build());
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r ->
                    r.payloadAsString().equals("a1") && r.attempt() == 1
                        ? Outcome.retry(r, new IOException("broker said no"))
                        : Outcome.sent(r));
    OutboxRelay relay = relay(sender, Ordering.PER_KEY);
    clock.advance(Duration.ofSeconds(30));
    assertThat(drainNew(relay, sender)).containsExactlyInAnyOrder("a1", "b1");
    clock.advance(Duration.ofMinutes(10));
    assertThat(drainNew(relay, sender)).containsExactly("a1", "a2");
  }

  /** Without per-key order a scheduled keyed message holds nothing back. */
  @Test
  public final void withoutOrderAScheduledMessageHoldsNothingBack() throws Exception {
    enlist(
        OutboxMessage.builder("t").key("a").payload("a1").delay(Duration.ofSeconds(30)).build(),
        OutboxMessage.of("t", "a", "a2"));
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender, Ordering.NONE);
    assertThat(drainNew(relay, sender)).containsExactly("a2");
    clock.advance(Duration.ofSeconds(30));
    assertThat(drainNew(relay, sender)).containsExactly("a1");
  }

  /**
   * Many scheduled messages among the oldest ids: the claims still find today's messages, and the
   * scheduled ones are released in one go when their time comes.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Ordering.class)
  public final void manyScheduledMessagesAreReleasedWhenTheirTimeComes(Ordering ordering)
      throws Exception {
    List<OutboxMessage> later = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      later.add(
          OutboxMessage.builder("t")
              .key(i % 2 == 0 ? null : "k" + (i % 50))
              .payload("later-" + i)
              .delay(Duration.ofHours(1))
              .build());
    }
    enlist(later.toArray(OutboxMessage[]::new));
    enlistMany(20, "t", null);
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender, ordering);
    assertThat(drainNew(relay, sender)).hasSize(20);
    clock.advance(Duration.ofHours(1));
    List<String> released = drainNew(relay, sender);
    assertThat(released).hasSize(2_500).doesNotHaveDuplicates();
    assertThat(queryLong("SELECT count(*) FROM " + messageTable() + " WHERE status = 0")).isZero();
  }

  /**
   * The backlog a health check and the gauges read leaves a scheduled message out until its time,
   * and then ages it from its time, not from when it was enlisted; the admin's pending listing
   * shows it all along.
   */
  @Test
  public final void theBacklogCountsAScheduledMessageFromItsTime() throws Exception {
    OutboxAdmin admin =
        OutboxAdmin.builder(dataSource, dialect).tables(tables).clock(clock).build();
    enlist(OutboxMessage.builder("t").payload("later").delay(Duration.ofHours(2)).build());
    Overview before = admin.overview();
    assertThat(before.pending()).isZero();
    List<MessageView> listed = admin.pending(MessageFilter.any(), null, 10).items();
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).nextAttemptAt())
        .isBetween(clock.instant().plus(Duration.ofHours(2)), clock.instant().plusSeconds(7201));

    clock.advance(Duration.ofHours(2).plusSeconds(5));
    release();
    Overview after = admin.overview();
    assertThat(after.pending()).isEqualTo(1);
    assertThat(after.oldestPendingAge())
        .as("aged from its time, not from two hours ago")
        .isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6));
  }

  /** What a relay does before it claims: clears the flag of scheduled messages that are due. */
  private void release() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      dialect.releaseScheduled(c, tables, clock.instant(), 1000);
    }
  }
}
