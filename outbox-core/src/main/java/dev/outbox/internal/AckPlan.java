package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Turns a batch's outcomes into the rows to write: sent, rescheduled with backoff, or dead (a dead
 * outcome, or a retry of a message that has used up {@code maxAttempts}).
 */
final class AckPlan {
  /** Longest error text stored with a message; longer ones are cut. */
  static final int MAX_ERROR_LENGTH = 2000;

  private final List<OutboxRecord> batch;
  private final Instant now;
  private final List<Long> sent = new ArrayList<>();
  private final List<AckBatch.Retry> retries = new ArrayList<>();
  private final List<AckBatch.Dead> dead = new ArrayList<>();

  private AckPlan(List<OutboxRecord> batch, Instant now) {
    this.batch = batch;
    this.now = now;
  }

  /**
   * The plan for {@code outcomes}, which has one entry per record of {@code batch}, in order, acked
   * at {@code now}.
   */
  static AckPlan of(
      List<OutboxRecord> batch, List<Outcome> outcomes, RelaySettings settings, Instant now) {
    AckPlan plan = new AckPlan(batch, now);
    for (int i = 0; i < batch.size(); i++) {
      plan.add(batch.get(i), outcomes.get(i), settings);
    }
    return plan;
  }

  private void add(OutboxRecord r, Outcome o, RelaySettings settings) {
    switch (o.status()) {
      case SENT -> sent.add(r.id());
      case DEAD -> dead.add(new AckBatch.Dead(r.id(), truncate(o.reason())));
      case RETRY -> {
        if (r.attempt() >= settings.maxAttempts()) {
          String reason = "gave up after " + r.attempt() + " attempts; last error: " + o.reason();
          dead.add(new AckBatch.Dead(r.id(), truncate(reason)));
        } else {
          Instant next = now.plus(settings.backoff().delay(r.attempt()));
          retries.add(new AckBatch.Retry(r.id(), next, truncate(o.reason())));
        }
      }
    }
  }

  AckBatch toBatch(UUID token) {
    return new AckBatch(token, now, sent, retries, dead);
  }

  /** Records metrics for the rows the ack actually wrote. */
  void record(AckResult result, RelayMetrics metrics) {
    for (OutboxRecord r : batch) {
      if (result.sent().contains(r.id())) {
        metrics.sent(r, now);
      } else if (result.retried().contains(r.id())) {
        metrics.retried(r);
      } else if (result.dead().contains(r.id())) {
        metrics.dead(r);
      }
    }
  }

  static String truncate(String s) {
    if (s == null) {
      return null;
    }
    return s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH - 3) + "...";
  }
}
