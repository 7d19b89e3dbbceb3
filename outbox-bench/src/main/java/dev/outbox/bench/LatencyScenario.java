package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Side;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Latency: producers commit at a fixed rate for a fixed time while one consumer runs; the latency
 * of a message is from its producer's {@code commit()} returning to the consumer being handed it.
 * With NOTIFY, the baseline consumer LISTENs and drains when notified; polling only, it drains and
 * then sleeps the poll interval. The outbox side is one relay with default settings and that poll
 * interval. Above 1,000 messages/s each transaction carries several messages, so the transaction
 * rate stays within what the producers can commit. Messages still unsent 30 seconds plus three poll
 * intervals after the producers stop are counted (and their latency counted up to then) instead of
 * failing the run.
 */
final class LatencyScenario {
  static final String NAME = "latency";

  /** Most transactions per second the producers are asked for; above it they batch. */
  static final int MAX_TRANSACTIONS_PER_SECOND = 1000;

  /** Batch size of both consumers: the relay's default. */
  static final int BATCH = OutboxRelay.Builder.DEFAULT_BATCH_SIZE;

  private final BenchContext ctx;

  LatencyScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The variant label; {@link Targets} finds rows by it. */
  static String variant(int rate, boolean notify, Duration pollInterval) {
    return variant(rate, notify ? Wake.NOTIFY : Wake.POLLING, pollInterval);
  }

  static String variant(int rate, Wake wake, Duration pollInterval) {
    String polling = "polling " + pollInterval.toMillis() + " ms";
    return rate
        + " msg/s, "
        + switch (wake) {
          case NOTIFY -> "NOTIFY";
          case POLLING -> polling;
          case AFTER_COMMIT -> "after-commit wake-up, " + polling;
        };
  }

  /**
   * How the consumers learn of a commit. {@code AFTER_COMMIT} is the outbox's in-process wake-up
   * ({@link OutboxRelay#wakeUp()} after each commit, what the Spring Boot starter's transaction
   * synchronization calls), without NOTIFY; its baseline is the polling raw consumer, which has no
   * such hook.
   */
  enum Wake {
    NOTIFY,
    POLLING,
    AFTER_COMMIT
  }

  /**
   * The wake-ups a run compares: NOTIFY (the default) and polling only, or polling only where the
   * database has no notifications.
   */
  static List<Wake> wakes(BenchDatabase db) {
    return db.hasNotifications()
        ? List.of(Wake.NOTIFY, Wake.POLLING, Wake.AFTER_COMMIT)
        : List.of(Wake.POLLING, Wake.AFTER_COMMIT);
  }

  /**
   * Every rate, with NOTIFY (where the database has it) and polling only, interleaved with the
   * baseline, every round.
   */
  void run() throws Exception {
    int threads = ctx.options().producerThreads();
    try (HikariDataSource producers = ctx.db().pool("latency-producers", threads);
        HikariDataSource consumer = ctx.db().pool("latency-consumer", 3)) {
      for (int rate : ctx.options().latencyRates()) {
        for (Wake wake : wakes(ctx.db())) {
          String variant = variant(rate, wake, ctx.options().pollInterval());
          for (int round = 1; round <= ctx.options().rounds(); round++) {
            for (Side side : Side.values()) {
              once(producers, consumer, side, rate, wake, variant, round);
            }
          }
        }
      }
    }
  }

  private void once(
      HikariDataSource producers,
      HikariDataSource consumerPool,
      Side side,
      int rate,
      Wake wake,
      String variant,
      int round)
      throws Exception {
    boolean notify = wake == Wake.NOTIFY;
    OutboxTables table = side == Side.BASELINE ? ctx.db().rawTables() : ctx.db().outboxTables();
    ctx.db().reset(table);
    ctx.db().settle(table);
    LatencyProbe probe = new LatencyProbe();
    OutboxRelay relay = side == Side.BASELINE ? null : startRelay(consumerPool, notify, probe);
    AutoCloseable consumer = relay != null ? relay : startRawConsumer(consumerPool, notify, probe);
    Runnable afterCommit = relay != null && wake == Wake.AFTER_COMMIT ? relay::wakeUp : () -> {};
    double achieved;
    long gaveUpAt;
    try {
      achieved = produce(producers, side, rate, notify, afterCommit, probe);
      gaveUpAt = awaitAllSeen(probe);
    } finally {
      consumer.close();
    }
    double[] ms = probe.sortedMillis(gaveUpAt);
    ctx.record(key(variant, "p50"), side, round, LatencyProbe.quantile(ms, 0.50));
    ctx.record(key(variant, "p99"), side, round, LatencyProbe.quantile(ms, 0.99));
    ctx.record(key(variant, "max"), side, round, ms.length == 0 ? Double.NaN : ms[ms.length - 1]);
    ctx.record(
        BenchContext.key(NAME, variant, "achieved rate", "msg/s", Better.HIGHER),
        side,
        round,
        achieved);
    ctx.record(
        BenchContext.key(NAME, variant, "not sent in time", "msg", Better.LOWER),
        side,
        round,
        probe.unseen());
  }

  private static Results.Key key(String variant, String metric) {
    return BenchContext.key(NAME, variant, metric, "ms", Better.LOWER);
  }

  /** Runs the producers for the configured time; returns the achieved messages per second. */
  private double produce(
      HikariDataSource pool,
      Side side,
      int rate,
      boolean notify,
      Runnable afterCommit,
      LatencyProbe probe)
      throws Exception {
    int threads = ctx.options().producerThreads();
    int perTx = Math.max(1, (int) Math.ceil(rate / (double) MAX_TRANSACTIONS_PER_SECOND));
    double txPerSecondPerThread = rate / (double) perTx / threads;
    long intervalNanos = (long) (1e9 / txPerSecondPerThread);
    long durationNanos = ctx.options().latencyDuration().toNanos();
    Writer writer = side == Side.BASELINE ? rawWriter(notify) : outboxWriter(notify);
    long start = System.nanoTime();
    Workers.paced(
        "latency-producer",
        threads,
        intervalNanos,
        durationNanos,
        ctx.options().latencyDuration().plusMinutes(2),
        () -> {
          try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            List<UUID> ids = writer.write(c, perTx);
            c.commit();
            ids.forEach(probe::committed);
            afterCommit.run();
          }
        });
    return probe.committedCount() / ((System.nanoTime() - start) / 1e9);
  }

  /** Writes {@code count} messages in the caller's transaction; returns their ids. */
  @FunctionalInterface
  private interface Writer {
    List<UUID> write(Connection c, int count) throws Exception;
  }

  private Writer rawWriter(boolean notify) {
    RawQueue raw = ctx.db().raw();
    return (c, count) -> {
      List<UUID> ids = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        long n = ThreadLocalRandom.current().nextLong(1_000_000_000L);
        UUID id = UUID.randomUUID();
        raw.insert(
            c,
            new RawQueue.Row(
                id, BenchContext.TOPIC, BenchContext.produceKey(n), ctx.payload(n), Instant.now()),
            notify && i == count - 1);
        ids.add(id);
      }
      return ids;
    };
  }

  private Writer outboxWriter(boolean notify) {
    JdbcOutbox outbox = ctx.outbox(notify);
    return (c, count) -> {
      List<OutboxMessage> messages = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        long n = ThreadLocalRandom.current().nextLong(1_000_000_000L);
        messages.add(
            OutboxMessage.builder(BenchContext.TOPIC)
                .key(BenchContext.produceKey(n))
                .payload(ctx.payload(n))
                .build());
      }
      return outbox.addAll(c, messages);
    };
  }

  private OutboxRelay startRelay(HikariDataSource pool, boolean notify, LatencyProbe probe) {
    OutboxRelay relay =
        ctx.relay(pool, notify, new CountingSender(probe::seen))
            .name("bench-latency")
            .pollInterval(ctx.options().pollInterval())
            .build();
    relay.start();
    return relay;
  }

  private AutoCloseable startRawConsumer(
      HikariDataSource pool, boolean notify, LatencyProbe probe) {
    RawQueue raw = ctx.db().raw();
    Duration poll = ctx.options().pollInterval();
    AtomicBoolean running = new AtomicBoolean(true);
    Workers worker =
        Workers.start(
            "raw-consumer",
            1,
            w -> {
              try (Connection c = pool.getConnection()) {
                if (notify) {
                  raw.listen(c);
                }
                c.setAutoCommit(false);
                while (running.get()) {
                  if (raw.consume(c, BATCH, probe::seen) < BATCH) {
                    idle(raw, c, notify, poll);
                  }
                }
                if (notify) {
                  raw.unlisten(c);
                }
              }
            });
    return () -> {
      running.set(false);
      worker.join(poll.plusSeconds(10));
    };
  }

  /** Waits for a notification (bounded by the poll interval, as the relay does) or sleeps. */
  private static void idle(RawQueue raw, Connection c, boolean notify, Duration poll)
      throws Exception {
    if (notify) {
      raw.awaitNotification(c, poll);
    } else {
      Thread.sleep(poll.toMillis());
    }
  }

  /**
   * Waits until the consumer has seen every committed message, or gives up after a while (a
   * consumer that cannot keep up is a result, not a failure of the harness).
   *
   * @return the time the wait ended
   */
  private long awaitAllSeen(LatencyProbe probe) throws InterruptedException {
    Duration timeout = ctx.options().pollInterval().multipliedBy(3).plusSeconds(30);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!probe.allSeen() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    if (!probe.allSeen()) {
      ctx.out()
          .printf(
              "  latency: %d messages not sent %s after the producers stopped; their latency is"
                  + " counted up to then%n",
              probe.unseen(), timeout);
    }
    return System.nanoTime();
  }
}
