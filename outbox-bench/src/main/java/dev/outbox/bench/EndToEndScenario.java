package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * End to end: the producers write N messages at full speed, one per transaction, while one consumer
 * delivers them; the time runs until the last one is delivered. Outbox: {@link JdbcOutbox#add} with
 * the dialect's defaults and one relay with default settings and the no-op sender. Baseline: a
 * plain INSERT of the same row, and one raw consumer looping the drain baseline's transaction,
 * sleeping 1 ms whenever it finds nothing.
 */
final class EndToEndScenario {
  static final String NAME = "e2e";

  private final BenchContext ctx;
  private final ProduceScenario produce;

  EndToEndScenario(BenchContext ctx) {
    this.ctx = ctx;
    this.produce = new ProduceScenario(ctx);
  }

  /** The variant label; {@link Targets} finds the row by it. */
  static String variant(int producers) {
    return producers + " producers + 1 relay, default settings";
  }

  /** Runs both sides, interleaved, every round. */
  void run() throws Exception {
    int threads = ctx.options().producerThreads();
    Key key = BenchContext.key(NAME, variant(threads), "throughput", "msg/s", Better.HIGHER);
    try (HikariDataSource producers = ctx.db().pool("e2e-producers", threads);
        HikariDataSource consumer = ctx.db().pool("e2e-consumer", 4)) {
      for (int round = 1; round <= ctx.options().rounds(); round++) {
        for (Side side : Side.values()) {
          double rate = once(producers, consumer, side, ctx.options().messages());
          ctx.record(key, side, round, rate);
        }
      }
    }
  }

  double once(HikariDataSource producers, HikariDataSource consumer, Side side, int n)
      throws Exception {
    OutboxTables table = side == Side.BASELINE ? ctx.db().rawTables() : ctx.db().outboxTables();
    ctx.db().reset(table);
    ctx.db().settle(table);
    long nanos =
        side == Side.BASELINE ? raw(producers, consumer, n) : outbox(producers, consumer, n);
    long sent = ctx.db().count(table, 1);
    if (sent != n || ctx.db().hasPending(table)) {
      throw new IllegalStateException(
          side.label() + " end to end marked " + sent + " of " + n + " messages sent");
    }
    return n / (nanos / 1e9);
  }

  private long raw(HikariDataSource producers, HikariDataSource consumer, int n) throws Exception {
    RawQueue raw = ctx.db().raw();
    AtomicInteger consumed = new AtomicInteger();
    long start = System.nanoTime();
    Workers consumers =
        Workers.start(
            "e2e-raw-consumer",
            1,
            w -> {
              try (Connection c = consumer.getConnection()) {
                c.setAutoCommit(false);
                while (consumed.get() < n) {
                  int got = raw.consume(c, DEFAULT_BATCH, id -> {});
                  if (consumed.addAndGet(got) < n && got == 0) {
                    Thread.sleep(1);
                  }
                }
              }
            });
    produce.writeAll(producers, produce.raw(false), n);
    consumers.join(BenchContext.deadlineFor(n));
    return System.nanoTime() - start;
  }

  private long outbox(HikariDataSource producers, HikariDataSource consumer, int n)
      throws Exception {
    ProduceScenario.Transaction enlist =
        produce.outbox(ctx.db().dialect(ProduceScenario.Wake.DEFAULT));
    CountingSender sender = new CountingSender();
    long start = System.nanoTime();
    try (OutboxRelay relay = ctx.relay(consumer, true, sender).name("bench-e2e").build()) {
      relay.start();
      produce.writeAll(producers, enlist, n);
      DrainScenario.awaitDrained(ctx, sender::received, n, BenchContext.deadlineFor(n));
      return System.nanoTime() - start;
    }
  }

  /** The relay's default batch size, for the raw consumer. */
  private static final int DEFAULT_BATCH = OutboxRelay.Builder.DEFAULT_BATCH_SIZE;
}
