package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Return;
import dev.outbox.BatchOutcomes;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Outcome.Status;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConfirmTrackerTest {
  private final ConfirmTracker tracker = new ConfirmTracker();

  @Test
  void aMultipleAckSettlesEveryMessageUpToItsTagAndNoLaterOne() {
    BatchOutcomes outcomes = tracked(4, 1);

    tracker.acked(3, true);

    assertThat(outcomes.isComplete()).isFalse();
    tracker.acked(4, false);
    assertThat(outcomes.future().join())
        .extracting(Outcome::status)
        .containsOnly(Status.SENT)
        .hasSize(4);
    assertThat(tracker.isEmpty()).isTrue();
  }

  @Test
  void aReturnedMessageIsDeadWhenItsAckArrivesAndTheOthersAreSent() {
    BatchOutcomes outcomes = tracked(2, 1);
    String returnedId = outcomes.record(0).messageId().toString();
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId(returnedId).build();

    tracker.returned(new Return(312, "NO_ROUTE", "orders", "k", props, new byte[0]));
    tracker.acked(2, true);

    List<Outcome> result = outcomes.future().join();
    assertThat(result.get(0).status()).isEqualTo(Status.DEAD);
    assertThat(result.get(0).reason()).contains("unroutable", "'orders'", "312 NO_ROUTE");
    assertThat(result.get(1).status()).isEqualTo(Status.SENT);
  }

  @Test
  void aNackIsARetryAndADeadChannelRetriesEverythingStillPending() {
    BatchOutcomes outcomes = tracked(3, 7);

    tracker.nacked(7, false);
    tracker.failAll(new IOException("connection reset"));

    List<Outcome> result = outcomes.future().join();
    assertThat(result).extracting(Outcome::status).containsOnly(Status.RETRY);
    assertThat(result.get(0).reason()).contains("negative publisher confirm");
    assertThat(result.get(1).reason()).contains("connection reset");
    assertThat(tracker.isEmpty()).isTrue();
  }

  /** A batch of {@code n} records tracked as sequence numbers {@code first..first+n-1}. */
  private BatchOutcomes tracked(int n, long first) {
    List<OutboxRecord> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(
          new OutboxRecord(
              i, UUID.randomUUID(), "orders", "k", new byte[0], Map.of(), Instant.EPOCH, 1));
    }
    BatchOutcomes outcomes = new BatchOutcomes(batch);
    for (int i = 0; i < n; i++) {
      tracker.track(first + i, outcomes, i, batch.get(i).messageId().toString());
    }
    return outcomes;
  }
}
