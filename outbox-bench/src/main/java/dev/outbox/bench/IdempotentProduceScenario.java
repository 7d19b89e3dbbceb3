package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;

/**
 * Produce with idempotency keys: N messages, one per transaction, from the producer threads, the
 * outbox with default settings each time. Every round runs, in this order, the minimal hand-rolled
 * outbox's produce ({@link MinimalScenario}), the outbox without idempotency keys, and the outbox
 * with a unique idempotency key per message (a random UUID; the key is recorded in the caller's
 * transaction, see {@code JdbcOutbox}). Tables and the idempotency table start empty every run.
 *
 * <p>Both rows have the keyed produce in the "outbox" column: against the produce without keys in
 * the "baseline" column (the ratio is keyed / unkeyed), and against the minimal outbox's produce
 * for context (the ratio is keyed / minimal).
 */
final class IdempotentProduceScenario {
  static final String NAME = "produce-idempotent";

  private final BenchContext ctx;

  IdempotentProduceScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The row of the keyed produce against the produce without keys. */
  static String variant(int threads) {
    return "idempotency key vs none, default settings, " + threads + " threads";
  }

  /** The row of the keyed produce against the minimal hand-rolled outbox's. */
  static String minimalVariant(int threads) {
    return "idempotency key vs minimal hand-rolled, " + threads + " threads";
  }

  /** The three produces interleaved, every round, after an unreported warm-up of the keyed one. */
  void run() throws Exception {
    int n = ctx.options().messages();
    int threads = ctx.options().producerThreads();
    ProduceScenario produce = new ProduceScenario(ctx);
    MinimalScenario minimal = new MinimalScenario(ctx);
    ctx.out()
        .println(
            NAME
                + ": baseline column = outbox produce without idempotency keys (first row) or the"
                + " minimal hand-rolled outbox (second row); outbox column = outbox produce with a"
                + " unique idempotency key per message");
    try (HikariDataSource pool = ctx.db().pool("idempotent-producers", threads)) {
      if (ctx.options().warmup()) {
        int warm = Math.min(n, Bench.WARMUP_MESSAGES);
        ctx.out().println(NAME + ": warming up (" + warm + " keyed messages, not reported)");
        produce.onceWithIdempotencyKeys(pool, warm);
      }
      Key keyed = key(variant(threads));
      Key context = key(minimalVariant(threads));
      for (int round = 1; round <= ctx.options().rounds(); round++) {
        double hand = minimal.produceMinimal(pool, n);
        double plain = produce.once(pool, Side.OUTBOX, ProduceScenario.Wake.DEFAULT, n);
        double withKeys = produce.onceWithIdempotencyKeys(pool, n);
        ctx.record(keyed, Side.BASELINE, round, plain);
        ctx.record(keyed, Side.OUTBOX, round, withKeys);
        ctx.record(context, Side.BASELINE, round, hand);
        ctx.record(context, Side.OUTBOX, round, withKeys);
      }
    }
  }

  private static Key key(String variant) {
    return BenchContext.key(NAME, variant, "throughput", "msg/s", Better.HIGHER);
  }
}
