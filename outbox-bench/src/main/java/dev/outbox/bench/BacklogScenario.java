package dev.outbox.bench;

import dev.outbox.Ordering;
import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Backlog size: the {@code PER_KEY} drain of {@value #RELAYS} relay, batch {@value #BATCH}, run on
 * a small and on a large backlog (20,000 and 200,000 by default) for each key count, each beside
 * the raw consumer draining a backlog of the same size, interleaved round by round. Reports msg/s
 * for every size and, per round, the per-message cost at the largest size over that at the smallest
 * ({@code rate(smallest) / rate(largest)}) for both sides: the claim must not slow down as the
 * backlog grows.
 */
final class BacklogScenario {
  static final String NAME = "backlog";

  /** Relays of every run: the issue compares single-relay drains. */
  static final int RELAYS = 1;

  /** Batch size of every run (and messages per raw consumer transaction). */
  static final int BATCH = 100;

  /** Metric of the per-message cost ratio rows. */
  static final String COST_RATIO = "per-message cost ratio";

  private final BenchContext ctx;

  BacklogScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The throughput row's variant label; {@link Targets} finds rows by it. */
  static String variant(int keys, int backlog) {
    return new Order(Ordering.PER_KEY, keys).label()
        + ", "
        + String.format("%,d", backlog)
        + " backlog";
  }

  /** The cost ratio row's variant label: {@code large} against {@code small}. */
  static String ratioVariant(int keys, int large, int small) {
    return new Order(Ordering.PER_KEY, keys).label()
        + ", "
        + String.format("%,d vs %,d", large, small);
  }

  /** Every key count and backlog size, interleaved with the baseline, every round. */
  void run() throws Exception {
    List<Integer> sizes = ctx.options().backlogSizes();
    int small = sizes.get(0);
    int large = sizes.get(sizes.size() - 1);
    try (DrainScenario drain = new DrainScenario(ctx)) {
      for (int keys : ctx.options().keyCounts()) {
        Order order = new Order(Ordering.PER_KEY, keys);
        Key ratioKey =
            BenchContext.key(NAME, ratioVariant(keys, large, small), COST_RATIO, "x", Better.LOWER);
        for (int round = 1; round <= ctx.options().rounds(); round++) {
          Map<Side, Double> smallRate = new EnumMap<>(Side.class);
          Map<Side, Double> largeRate = new EnumMap<>(Side.class);
          for (int size : sizes) {
            Key key =
                BenchContext.key(NAME, variant(keys, size), "throughput", "msg/s", Better.HIGHER);
            for (Side side : Side.values()) {
              double rate = drain.once(side, RELAYS, BATCH, order, size);
              ctx.record(key, side, round, rate);
              if (size == small) {
                smallRate.put(side, rate);
              }
              if (size == large) {
                largeRate.put(side, rate);
              }
            }
          }
          for (Side side : Side.values()) {
            ctx.record(ratioKey, side, round, smallRate.get(side) / largeRate.get(side));
          }
        }
      }
    }
  }
}
