package dev.outbox.bench;

import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Side;
import java.time.Duration;

/**
 * Slow sender: the same committed backlog of N drained by one relay, batch 100, once with the no-op
 * sender ({@link CountingSender}, the "baseline" column) and once with a sender whose broker
 * answers each batch {@value #DELAY_MS} ms later ({@link DelayedSender}, the "outbox" column),
 * interleaved round by round, {@code NONE} and {@code PER_KEY} over 100 keys. Both columns are
 * outbox drains: the ratio is how much of the relay's own speed is left when the broker is a round
 * trip away.
 */
final class SlowSenderScenario {
  static final String NAME = "slow-sender";

  /** How long the slow sender's broker takes to answer a batch. */
  static final int DELAY_MS = 10;

  private final BenchContext ctx;

  SlowSenderScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The variant label; {@link Targets} finds rows by it. */
  static String variant(Order order) {
    return DELAY_MS + " ms sender vs no-op, " + order.label();
  }

  /** Each chosen ordering, the no-op drain and the slow one interleaved, every round. */
  void run() throws Exception {
    try (SenderDrain drain = new SenderDrain(ctx);
        DelayedSender slow = new DelayedSender(Duration.ofMillis(DELAY_MS))) {
      drain.measure(
          NAME, SlowSenderScenario::variant, (side, order, n) -> once(drain, slow, side, order, n));
    }
  }

  /** One timed drain of a fresh outbox backlog: the no-op sender as baseline, else the slow one. */
  private static double once(SenderDrain drain, DelayedSender slow, Side side, Order order, int n)
      throws Exception {
    drain.load(Side.OUTBOX, order, n);
    long nanos = drain.drainOutbox(side == Side.BASELINE ? new CountingSender() : slow, order, n);
    return SenderDrain.rate(n, nanos);
  }
}
