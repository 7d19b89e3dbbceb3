package dev.outbox.internal;

import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns a batch's outcomes into the rows to write: sent, rescheduled with backoff, or dead (a dead
 * outcome, or a retry of a message that has used up {@code maxAttempts}).
 *
 * <p>Under {@link Ordering#PER_KEY} a batch may hold a run of several messages of one key. Once one
 * of them is to be retried, the later ones of its key are never recorded as sent, whatever the
 * sender said: they are held back, due again at once behind the earlier one and with their attempt
 * given back, since the failure was not theirs. A later one the broker rejected for itself still
 * goes dead. A dead message holds nothing back: it leaves the table in this acknowledgement, so the
 * messages after it are next in line. A record that was never handed to the sender (see {@link
 * BatchSender.Sent#notHanded}) is held back too.
 */
final class AckPlan {
  /** Longest error text stored with a message; longer ones are cut. */
  static final int MAX_ERROR_LENGTH = 2000;

  private final List<OutboxRecord> batch;
  private final Instant now;
  private final List<Long> sent = new ArrayList<>();
  private final List<AckBatch.Retry> retries = new ArrayList<>();
  private final List<AckBatch.Dead> dead = new ArrayList<>();
  private final Set<Long> heldBack = new HashSet<>();

  /** Whether the whole batch failed because the broker was away, and why. */
  private boolean away;

  private String awayCause;

  private AckPlan(List<OutboxRecord> batch, Instant now) {
    this.batch = batch;
    this.now = now;
  }

  /**
   * The plan for {@code outcomes}, which has one entry per record of {@code batch}, in order, acked
   * at {@code now}. When the broker was away for the whole batch, every record is due again at once
   * and no attempt is counted: the relay pauses instead (see {@code OutboxRelay.Builder
   * #brokerPause}). Records in {@code notHanded} were never handed to the sender: they are held
   * back, their attempt given back.
   */
  static AckPlan of(
      List<OutboxRecord> batch,
      List<Outcome> outcomes,
      boolean brokerAway,
      Set<Long> notHanded,
      RelaySettings settings,
      Instant now) {
    AckPlan plan = new AckPlan(batch, now);
    if (brokerAway) {
      plan.away = true;
      plan.awayCause = batch.isEmpty() ? null : truncate(outcomes.get(0).reason());
      for (int i = 0; i < batch.size(); i++) {
        OutboxRecord r = batch.get(i);
        String why = "the broker was away for the whole batch: " + outcomes.get(i).reason();
        plan.retries.add(new AckBatch.Retry(r.id(), now, truncate(why), true));
      }
      return plan;
    }
    boolean perKey = settings.ordering() == Ordering.PER_KEY;
    Map<String, Long> unsentByKey = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      OutboxRecord r = batch.get(i);
      Outcome o = outcomes.get(i);
      Long earlier = perKey && r.key() != null ? unsentByKey.get(r.key()) : null;
      if (earlier != null && o.status() != Outcome.Status.DEAD) {
        plan.holdBack(r, earlier);
        continue;
      }
      if (notHanded.contains(r.id())) {
        plan.holdBack(r, null);
        continue;
      }
      if (perKey && r.key() != null && o.status() == Outcome.Status.RETRY) {
        unsentByKey.putIfAbsent(r.key(), r.id());
      }
      plan.add(r, o, settings);
    }
    return plan;
  }

  private void holdBack(OutboxRecord r, Long earlier) {
    String why =
        earlier == null
            ? "held back: not handed to the sender before the batch ended"
            : "held back: message " + earlier + " of the same key in this batch was not sent";
    retries.add(new AckBatch.Retry(r.id(), now, why, true));
    heldBack.add(r.id());
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
          retries.add(new AckBatch.Retry(r.id(), next, truncate(o.reason()), false));
        }
      }
    }
  }

  /** The rows to write, bounded by the batch's oldest and newest creation time. */
  AckBatch toBatch(UUID token) {
    Instant from = null;
    Instant to = null;
    for (OutboxRecord r : batch) {
      Instant created = r.createdAt();
      from = from == null || created.isBefore(from) ? created : from;
      to = to == null || created.isAfter(to) ? created : to;
    }
    return new AckBatch(token, now, sent, retries, dead, from, to);
  }

  /**
   * Records metrics for the rows the ack wrote and warns about their failures (see {@link
   * FailureWarnings}), and counts and logs the rows the lease fence refused: another relay claimed
   * them after this batch's lease ended at {@code leaseUntil}.
   */
  void record(AckResult result, Instant leaseUntil, RelayMetrics metrics) {
    FailureWarnings warnings = metrics.warnings();
    Map<Long, AckBatch.Retry> retryById = new HashMap<>();
    for (AckBatch.Retry retry : retries) {
      retryById.put(retry.id(), retry);
    }
    Map<Long, String> deadById = new HashMap<>();
    for (AckBatch.Dead d : dead) {
      deadById.put(d.id(), d.reason());
    }
    List<OutboxRecord> fenced = new ArrayList<>();
    int awayWritten = 0;
    if (!result.sent().isEmpty()) {
      warnings.delivered();
    }
    for (OutboxRecord r : batch) {
      long id = r.id();
      if (result.sent().contains(id)) {
        metrics.sent(r, now);
      } else if (result.retried().contains(id)) {
        if (!heldBack.contains(id)) {
          metrics.retried(r);
        }
        AckBatch.Retry retry = retryById.get(id);
        if (away) {
          awayWritten++;
        } else if (retry != null && !retry.uncharged()) {
          warnings.retried(r, retry.nextAttemptAt(), now, retry.error());
        }
      } else if (result.dead().contains(id)) {
        metrics.dead(r);
        warnings.dead(r, deadById.get(id));
      } else {
        fenced.add(r);
      }
    }
    if (awayWritten > 0) {
      warnings.brokerAway(batch.size(), awayCause);
    }
    if (!fenced.isEmpty()) {
      metrics.fenced(fenced, batch.size(), Duration.between(leaseUntil, now));
    }
  }

  static String truncate(String s) {
    if (s == null) {
      return null;
    }
    // PostgreSQL's text cannot hold NUL: such a reason would fail every acknowledgement of the
    // batch
    s = s.replace('\u0000', '\uFFFD');
    return s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH - 3) + "...";
  }
}
