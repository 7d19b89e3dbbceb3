package dev.outbox.bench;

import dev.outbox.Backoff;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Side;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failing sender: the same committed backlog of N drained by one relay, batch 100, once with the
 * no-op sender (the "baseline" column) and once with a sender that refuses {@value #FAIL_PERCENT}%
 * of the records it is handed (a nack, not a connection failure), each independently of the others,
 * and delivers the rest (the "outbox" column), interleaved round by round, {@code NONE} and {@code
 * PER_KEY} over 100 keys. Retries are due again at once (fixed zero backoff), so the drain measures
 * what failures cost the relay, not the backoff. Each failing run also prints the copies per
 * message: records that reached the "broker" per message (1.00 when nothing is sent twice) and
 * records handed to the sender per message (failures included).
 */
final class FailingSenderScenario {
  static final String NAME = "failing-sender";

  /** The share of records the failing sender fails. */
  static final int FAIL_PERCENT = 10;

  private final BenchContext ctx;

  FailingSenderScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The variant label. */
  static String variant(Order order) {
    return FAIL_PERCENT + "% failing vs no-op, " + order.label();
  }

  /** Each chosen ordering, the no-op drain and the failing one interleaved, every round. */
  void run() throws Exception {
    try (SenderDrain drain = new SenderDrain(ctx)) {
      drain.measure(
          NAME, FailingSenderScenario::variant, (side, order, n) -> once(drain, side, order, n));
    }
  }

  private double once(SenderDrain drain, Side side, Order order, int n) throws Exception {
    drain.load(Side.OUTBOX, order, n);
    if (side == Side.BASELINE) {
      return SenderDrain.rate(n, drain.drainOutbox(new CountingSender(), order, n));
    }
    Failing failing = new Failing();
    long nanos =
        drain.drainOutbox(
            failing, order, n, b -> b.backoff(Backoff.fixed(Duration.ZERO)).maxAttempts(1_000));
    ctx.out()
        .printf(
            Locale.ROOT,
            "  %-8s %-40s copies per message: %.3f delivered, %.3f handed to the sender%n",
            NAME,
            variant(order),
            failing.delivered.sum() / (double) n,
            failing.handed.sum() / (double) n);
    return SenderDrain.rate(n, nanos);
  }

  /** Fails a share of records at random, independently; the others reach the "broker". */
  private static final class Failing implements Sender {
    final LongAdder delivered = new LongAdder();
    final LongAdder handed = new LongAdder();
    private final SplittableRandom random = new SplittableRandom(11);

    @Override
    public synchronized CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
      List<Outcome> outcomes = new ArrayList<>(batch.size());
      for (OutboxRecord r : batch) {
        handed.increment();
        if (random.nextInt(100) < FAIL_PERCENT) {
          // A refusal of the record (a nack), not of the connection: a connection-level cause
          // would make the relay take the broker for away and pause.
          outcomes.add(Outcome.retry(r, new IllegalStateException("nack")));
        } else {
          delivered.increment();
          outcomes.add(Outcome.sent(r));
        }
      }
      return CompletableFuture.completedFuture(outcomes);
    }
  }
}
