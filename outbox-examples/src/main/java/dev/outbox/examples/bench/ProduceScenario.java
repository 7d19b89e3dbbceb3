package dev.outbox.examples.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.examples.bench.Results.Better;
import dev.outbox.examples.bench.Results.Key;
import dev.outbox.examples.bench.Results.Side;
import dev.outbox.spi.OutboxTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Produce: N messages, one per transaction, from several threads through a HikariCP pool. The
 * baseline inserts the same row with a plain INSERT in the same kind of transaction (and sends the
 * same NOTIFY when the outbox does); the outbox enlists it with {@link JdbcOutbox#add}, with NOTIFY
 * on and off. No relay runs meanwhile.
 */
final class ProduceScenario {
  static final String NAME = "produce";

  private final BenchContext ctx;

  ProduceScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The variant label of a NOTIFY setting; {@link Targets} finds rows by it. */
  static String variant(boolean notify) {
    return notify ? "NOTIFY on" : "NOTIFY off";
  }

  /**
   * The NOTIFY settings a run compares: on and off, or only off where the database has no
   * notifications.
   */
  static boolean[] notifySettings(BenchDatabase db) {
    return db.hasNotifications() ? new boolean[] {true, false} : new boolean[] {false};
  }

  /** Runs each NOTIFY setting, interleaved with the baseline, every round. */
  void run() throws Exception {
    int threads = ctx.options().producerThreads();
    try (HikariDataSource pool = ctx.db().pool("producers", threads)) {
      for (boolean notify : notifySettings(ctx.db())) {
        Key key =
            BenchContext.key(
                NAME,
                variant(notify) + ", " + threads + " threads",
                "throughput",
                "msg/s",
                Better.HIGHER);
        for (int round = 1; round <= ctx.options().rounds(); round++) {
          for (Side side : Side.values()) {
            double rate = once(pool, side, notify, ctx.options().messages());
            ctx.record(key, side, round, rate);
          }
        }
      }
    }
  }

  /** One timed run on empty tables; returns messages per second. */
  double once(HikariDataSource pool, Side side, boolean notify, int n) throws Exception {
    OutboxTables table = side == Side.BASELINE ? ctx.db().rawTables() : ctx.db().outboxTables();
    ctx.db().reset(table);
    ctx.db().settle(table);
    Transaction tx = side == Side.BASELINE ? raw(notify) : outbox(notify);
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    Workers.runAll(
        "producer",
        ctx.options().producerThreads(),
        BenchContext.deadlineFor(n),
        w -> {
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            try (Connection c = pool.getConnection()) {
              c.setAutoCommit(false);
              tx.write(c, i);
              c.commit();
            }
          }
        });
    double seconds = (System.nanoTime() - start) / 1e9;
    long written = ctx.db().count(table, 0);
    if (written != n) {
      throw new IllegalStateException(
          side.label() + " produce wrote " + written + " rows, expected " + n);
    }
    return n / seconds;
  }

  /** Writes message {@code i} in the caller's transaction. */
  @FunctionalInterface
  interface Transaction {
    void write(Connection c, int i) throws SQLException;
  }

  private Transaction raw(boolean notify) {
    RawQueue raw = ctx.db().raw();
    return (c, i) ->
        raw.insert(
            c,
            new RawQueue.Row(
                UUID.randomUUID(),
                BenchContext.TOPIC,
                BenchContext.produceKey(i),
                ctx.payload(i),
                Instant.now()),
            notify);
  }

  private Transaction outbox(boolean notify) {
    JdbcOutbox outbox = ctx.outbox(notify);
    return (c, i) ->
        outbox.add(
            c,
            OutboxMessage.builder(BenchContext.TOPIC)
                .key(BenchContext.produceKey(i))
                .payload(ctx.payload(i))
                .build());
  }
}
