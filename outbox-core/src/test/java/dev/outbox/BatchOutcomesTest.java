package dev.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.outbox.Outcome.Status;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchOutcomesTest {
  private final List<OutboxRecord> batch = List.of(record(10), record(11), record(12));

  @Test
  void completesOnlyOnceEveryRecordHasAnOutcomeInBatchOrder() {
    BatchOutcomes outcomes = new BatchOutcomes(batch);

    outcomes.dead(2, "too large");
    outcomes.sent(0);
    assertThat(outcomes.future()).isNotDone();
    outcomes.retry(1, new IOException("down"));

    assertThat(outcomes.future().join())
        .extracting(Outcome::recordId, Outcome::status)
        .containsExactly(
            tuple(10L, Status.SENT), tuple(11L, Status.RETRY), tuple(12L, Status.DEAD));
  }

  @Test
  void theFirstOutcomeOfARecordWinsOverLaterOnes() {
    BatchOutcomes outcomes = new BatchOutcomes(batch);

    assertThat(outcomes.report(0, Outcome.retry(batch.get(0), new IOException("closed")))).isTrue();
    assertThat(outcomes.report(0, Outcome.sent(batch.get(0)))).isFalse();
    outcomes.retryAllMissing(new IOException("gone"));

    assertThat(outcomes.future().join())
        .extracting(Outcome::status)
        .containsExactly(Status.RETRY, Status.RETRY, Status.RETRY);
    assertThat(outcomes.future().join().get(0).reason()).contains("closed");
  }

  @Test
  void anOutcomeForAnotherRecordIsRefused() {
    BatchOutcomes outcomes = new BatchOutcomes(batch);

    assertThatThrownBy(() -> outcomes.report(0, Outcome.sent(batch.get(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("record 11 reported at index 0");
  }

  @Test
  void anEmptyBatchIsCompleteAtOnce() {
    assertThat(new BatchOutcomes(List.of()).future()).isCompletedWithValue(List.of());
  }

  private static OutboxRecord record(long id) {
    return new OutboxRecord(
        id, UUID.randomUUID(), "t", "k", new byte[0], Map.of(), Instant.EPOCH, 1);
  }
}
