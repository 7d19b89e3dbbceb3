package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Ordering;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Drain: a committed backlog of N messages emptied by 1, 2, 4… relays with a no-op sender, for each
 * batch size and ordering. A {@code PER_KEY} backlog spreads its messages round-robin over the
 * keys, so every key has messages all through the backlog. The baseline runs as many raw consumers,
 * each looping {@code BEGIN; SELECT … FOR UPDATE SKIP LOCKED; UPDATE … SET status = 1; COMMIT} on
 * its own connection, over the same backlog in a table of the same shape. A run ends when no
 * pending row is left; both sides are checked to have sent every message exactly once.
 */
final class DrainScenario implements AutoCloseable {
  static final String NAME = "drain";

  /** How often the end of an outbox drain is checked once the sender has seen every message. */
  private static final Duration END_POLL = Duration.ofMillis(2);

  private final BenchContext ctx;
  private final List<HikariDataSource> relayPools = new ArrayList<>();
  private HikariDataSource rawPool;

  DrainScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The ordering of a variant: {@code NONE}, or {@code PER_KEY} over {@code keys} keys. */
  record Order(Ordering ordering, int keys) {
    String label() {
      return ordering == Ordering.NONE ? "NONE" : "PER_KEY/" + keys + " keys";
    }
  }

  /** The variant label; {@link Targets} finds rows by it. */
  static String variant(int relays, int batch, Order order) {
    return "relays=" + relays + " batch=" + batch + " " + order.label();
  }

  /**
   * Every relay count, batch size and chosen ordering ({@code PER_KEY} once per key count),
   * interleaved with the baseline, every round.
   */
  void run() throws Exception {
    List<Order> orders = new ArrayList<>();
    if (ctx.options().orderings().contains(Ordering.NONE)) {
      orders.add(new Order(Ordering.NONE, BenchContext.PRODUCE_KEYS));
    }
    if (ctx.options().orderings().contains(Ordering.PER_KEY)) {
      for (int keys : ctx.options().keyCounts()) {
        orders.add(new Order(Ordering.PER_KEY, keys));
      }
    }
    for (Order order : orders) {
      for (int batch : ctx.options().batchSizes()) {
        for (int relays : ctx.options().relayCounts()) {
          Key key =
              BenchContext.key(
                  NAME, variant(relays, batch, order), "throughput", "msg/s", Better.HIGHER);
          for (int round = 1; round <= ctx.options().rounds(); round++) {
            for (Side side : Side.values()) {
              double rate = once(side, relays, batch, order, ctx.options().messages());
              ctx.record(key, side, round, rate);
            }
          }
        }
      }
    }
  }

  /** One timed drain of a fresh backlog of {@code n}; returns messages per second. */
  double once(Side side, int relays, int batch, Order order, int n) throws Exception {
    OutboxTables table = side == Side.BASELINE ? ctx.db().rawTables() : ctx.db().outboxTables();
    ctx.db().reset(table);
    ctx.db().loadPending(table, n, order.keys(), ctx.options().payloadBytes());
    ctx.db().settle(table);
    long nanos =
        side == Side.BASELINE
            ? drainRaw(relays, batch, n)
            : drainOutbox(relays, batch, order, n, () -> ctx.db().hasPending(table));
    long sent = ctx.db().count(table, 1);
    if (sent != n || ctx.db().hasPending(table)) {
      throw new IllegalStateException(
          side.label() + " drain marked " + sent + " of " + n + " messages sent");
    }
    return n / (nanos / 1e9);
  }

  private long drainRaw(int consumers, int batch, int n) throws Exception {
    HikariDataSource pool = rawPool(consumers);
    RawQueue raw = ctx.db().raw();
    long start = System.nanoTime();
    Workers.runAll(
        "raw-consumer",
        consumers,
        BenchContext.deadlineFor(n),
        w -> {
          try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            while (raw.consume(c, batch, id -> {}) > 0) {
              // loop until a consumer finds nothing left it can lock
            }
          }
        });
    return System.nanoTime() - start;
  }

  /** Whether rows the drain must still send are left; see {@link #awaitDrained}. */
  @FunctionalInterface
  interface PendingProbe {
    boolean any() throws Exception;
  }

  /**
   * Starts {@code relays} relays on the outbox backlog loaded before and times them until the
   * sender has seen {@code n} records and {@code pending} finds nothing left; returns nanoseconds.
   */
  long drainOutbox(int relays, int batch, Order order, int n, PendingProbe pending)
      throws Exception {
    CountingSender sender = new CountingSender();
    List<OutboxRelay> running = new ArrayList<>(relays);
    long start = System.nanoTime();
    try {
      for (int i = 0; i < relays; i++) {
        OutboxRelay relay = relay(i, batch, order.ordering(), sender);
        running.add(relay);
        relay.start();
      }
      awaitDrained(sender::received, n, BenchContext.deadlineFor(n), pending);
      long nanos = System.nanoTime() - start;
      if (sender.received() != n) {
        throw new IllegalStateException(
            "the relays handed " + sender.received() + " records to the sender for " + n);
      }
      return nanos;
    } finally {
      Collections.reverse(running);
      running.forEach(OutboxRelay::close);
    }
  }

  private OutboxRelay relay(int i, int batch, Ordering ordering, CountingSender sender) {
    return ctx.relay(relayPool(i), true, sender)
        .name("bench-" + (i + 1))
        .batchSize(batch)
        .ordering(ordering)
        .build();
  }

  /**
   * Waits until {@code sent} reaches {@code n} and no pending row is left in the outbox table (the
   * last acknowledgement committed): the end of an outbox drain, for every scenario that times one.
   *
   * @throws IllegalStateException if that takes longer than {@code timeout}
   */
  static void awaitDrained(BenchContext ctx, LongSupplier sent, int n, Duration timeout)
      throws Exception {
    awaitDrained(sent, n, timeout, () -> ctx.db().hasPending(ctx.db().outboxTables()));
  }

  /**
   * As {@link #awaitDrained(BenchContext, LongSupplier, int, Duration)}, ending on {@code pending}.
   */
  static void awaitDrained(LongSupplier sent, int n, Duration timeout, PendingProbe pending)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (sent.getAsLong() < n || pending.any()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the outbox drain of "
                + n
                + " messages did not finish within "
                + timeout
                + "; the sender saw "
                + sent.getAsLong());
      }
      Thread.sleep(sent.getAsLong() < n ? 1 : END_POLL.toMillis());
    }
  }

  private HikariDataSource rawPool(int size) {
    if (rawPool == null || rawPool.getMaximumPoolSize() < size) {
      if (rawPool != null) {
        rawPool.close();
      }
      rawPool = ctx.db().pool("raw-consumers", size);
    }
    return rawPool;
  }

  /** Each relay gets a pool of its own, as a relay in its own service would. */
  private HikariDataSource relayPool(int i) {
    while (relayPools.size() <= i) {
      // a claim and an acknowledgement at once, one held by LISTEN, one spare
      relayPools.add(ctx.db().pool("relay-" + (relayPools.size() + 1), 4));
    }
    return relayPools.get(i);
  }

  @Override
  public void close() {
    relayPools.forEach(HikariDataSource::close);
    if (rawPool != null) {
      rawPool.close();
    }
  }
}
