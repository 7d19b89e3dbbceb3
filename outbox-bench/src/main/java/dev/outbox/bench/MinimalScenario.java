package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Ordering;
import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The whole path beside the minimal hand-rolled outbox ({@link MinimalQueue}): the baseline that
 * does not share the outbox's table shape, so it shows what a user weighs when choosing between
 * this library and fifty lines of SQL. Its rows have the outbox as the "outbox" column (default
 * settings, exactly as the produce, drain and e2e scenarios run it) and the minimal outbox as the
 * "baseline" column, interleaved round by round:
 *
 * <ul>
 *   <li>produce: the producer threads, one message a transaction;
 *   <li>drain: one consumer, {@code NONE} at batch 100 and 1,000, {@code PER_KEY} over 100 keys at
 *       batch 100 (the minimal consumer takes 100 rows a transaction whatever the order);
 *   <li>e2e: the producers at full speed while one consumer delivers, the minimal one sleeping 100
 *       ms whenever a batch was not full, as the hand-rolled outbox does.
 * </ul>
 */
final class MinimalScenario {
  static final String NAME = "minimal";

  /** The minimal consumer's rows a transaction. */
  static final int BATCH = 100;

  /** How long the minimal consumer sleeps after a batch that was not full. */
  static final int IDLE_MS = 100;

  /** Keys of the {@code PER_KEY} drain. */
  static final int PER_KEY_KEYS = 100;

  private final BenchContext ctx;
  private final MinimalQueue minimal;

  MinimalScenario(BenchContext ctx) {
    this.ctx = ctx;
    this.minimal = ctx.db().minimal();
  }

  void run() throws Exception {
    int n = ctx.options().messages();
    int threads = ctx.options().producerThreads();
    ProduceScenario produce = new ProduceScenario(ctx);
    EndToEndScenario e2e = new EndToEndScenario(ctx);
    try (HikariDataSource producers = ctx.db().pool("minimal-producers", threads);
        HikariDataSource consumer = ctx.db().pool("minimal-consumer", 4);
        DrainScenario drain = new DrainScenario(ctx)) {
      Key produceKey = key("produce, default settings, " + threads + " threads");
      Key e2eKey = key("e2e, " + threads + " producers + 1 consumer, default settings");
      Order none = new Order(Ordering.NONE, BenchContext.PRODUCE_KEYS);
      Order perKey = new Order(Ordering.PER_KEY, PER_KEY_KEYS);
      for (int round = 1; round <= ctx.options().rounds(); round++) {
        ctx.record(produceKey, Side.BASELINE, round, produceMinimal(producers, n));
        ctx.record(
            produceKey,
            Side.OUTBOX,
            round,
            produce.once(producers, Side.OUTBOX, ProduceScenario.Wake.DEFAULT, n));
        for (int batch : new int[] {100, 1_000}) {
          Key k = key("drain, 1 consumer, batch " + batch + ", " + none.label());
          ctx.record(k, Side.BASELINE, round, drainMinimal(consumer, none, n));
          ctx.record(k, Side.OUTBOX, round, drain.once(Side.OUTBOX, 1, batch, none, n));
        }
        Key k = key("drain, 1 consumer, batch 100, " + perKey.label());
        ctx.record(k, Side.BASELINE, round, drainMinimal(consumer, perKey, n));
        ctx.record(k, Side.OUTBOX, round, drain.once(Side.OUTBOX, 1, 100, perKey, n));
        ctx.record(e2eKey, Side.BASELINE, round, endToEndMinimal(producers, consumer, n));
        ctx.record(e2eKey, Side.OUTBOX, round, e2e.once(producers, consumer, Side.OUTBOX, n));
      }
    }
  }

  private static Key key(String variant) {
    return BenchContext.key(NAME, variant, "throughput", "msg/s", Better.HIGHER);
  }

  /**
   * One timed produce of {@code n} into the emptied minimal table from the producer threads on
   * {@code producers}; returns messages per second.
   */
  double produceMinimal(HikariDataSource producers, int n) throws Exception {
    minimal.reset();
    long start = System.nanoTime();
    writeAll(producers, n);
    long nanos = System.nanoTime() - start;
    check(0, n, "produce");
    return n / (nanos / 1e9);
  }

  private double drainMinimal(HikariDataSource consumer, Order order, int n) throws Exception {
    minimal.reset();
    minimal.load(n, order.keys(), ctx);
    long start = System.nanoTime();
    try (Connection c = consumer.getConnection()) {
      c.setAutoCommit(false);
      while (minimal.consume(c, BATCH) > 0) {
        // until nothing is left
      }
    }
    long nanos = System.nanoTime() - start;
    check(1, n, "drain");
    return n / (nanos / 1e9);
  }

  private double endToEndMinimal(HikariDataSource producers, HikariDataSource consumer, int n)
      throws Exception {
    minimal.reset();
    AtomicInteger consumed = new AtomicInteger();
    long start = System.nanoTime();
    Workers consumers =
        Workers.start(
            "minimal-consumer",
            1,
            w -> {
              try (Connection c = consumer.getConnection()) {
                c.setAutoCommit(false);
                while (consumed.get() < n) {
                  int got = minimal.consume(c, BATCH);
                  if (consumed.addAndGet(got) < n && got < BATCH) {
                    Thread.sleep(IDLE_MS);
                  }
                }
              }
            });
    writeAll(producers, n);
    consumers.join(BenchContext.deadlineFor(n));
    long nanos = System.nanoTime() - start;
    check(1, n, "end to end");
    return n / (nanos / 1e9);
  }

  private void writeAll(HikariDataSource producers, int n) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    Workers.runAll(
        "minimal-producer",
        ctx.options().producerThreads(),
        BenchContext.deadlineFor(n),
        w -> {
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            try (Connection c = producers.getConnection()) {
              c.setAutoCommit(false);
              minimal.insert(c, BenchContext.produceKey(i), ctx.payload(i));
              c.commit();
            }
          }
        });
  }

  private void check(int status, int n, String what) throws Exception {
    long rows = minimal.count(status);
    if (rows != n) {
      throw new IllegalStateException(
          "minimal " + what + " left " + rows + " rows with status " + status + ", expected " + n);
    }
  }
}
