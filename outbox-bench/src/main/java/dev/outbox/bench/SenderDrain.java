package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What the sender scenarios (slow-sender, rabbitmq, kafka) share: a committed backlog drained by
 * one relay, batch {@value #BATCH}, with a given sender, or by one raw publisher looping the raw
 * consumer's transaction with a publish to the broker before the update (see {@link
 * RawQueue#publish}). Each drain is checked to have marked every row sent, and the sender to have
 * reported every record sent at least once; the scenario checks the broker's side.
 */
final class SenderDrain implements AutoCloseable {
  /** The relay's batch size, and the raw publisher's rows per transaction. */
  static final int BATCH = 100;

  /** Keys of the {@code PER_KEY} backlogs. */
  static final int PER_KEY_KEYS = 100;

  /** Messages of an unreported warm-up run of each side, at most. */
  static final int WARMUP_MESSAGES = 2_000;

  private final BenchContext ctx;
  private HikariDataSource relayPool;
  private HikariDataSource rawPool;

  SenderDrain(BenchContext ctx) {
    this.ctx = ctx;
  }

  /**
   * The orderings the sender scenarios run, as {@code --orderings} chooses: {@code NONE} over the
   * drain's {@value BenchContext#PRODUCE_KEYS} keys, and {@code PER_KEY} over {@value
   * #PER_KEY_KEYS} keys.
   */
  static List<Order> orders(BenchOptions options) {
    List<Order> orders = new ArrayList<>();
    if (options.orderings().contains(Ordering.NONE)) {
      orders.add(noneOrder());
    }
    if (options.orderings().contains(Ordering.PER_KEY)) {
      orders.add(perKeyOrder());
    }
    return orders;
  }

  static Order noneOrder() {
    return new Order(Ordering.NONE, BenchContext.PRODUCE_KEYS);
  }

  static Order perKeyOrder() {
    return new Order(Ordering.PER_KEY, PER_KEY_KEYS);
  }

  /** One timed run of a sender scenario: messages per second. */
  @FunctionalInterface
  interface Once {
    double run(Side side, Order order, int n) throws Exception;
  }

  /**
   * Runs a sender scenario: an unreported warm-up of both sides (unless turned off), then for each
   * chosen ordering both sides interleaved, every round, recorded under {@code scenario} and the
   * ordering's {@code variant}.
   */
  void measure(String scenario, Function<Order, String> variant, Once once) throws Exception {
    if (ctx.options().warmup()) {
      int n = Math.min(ctx.options().messages(), WARMUP_MESSAGES);
      ctx.out().println(scenario + ": warming up (" + n + " messages per side, not reported)");
      for (Side side : Side.values()) {
        once.run(side, noneOrder(), n);
      }
    }
    for (Order order : orders(ctx.options())) {
      Key key =
          BenchContext.key(scenario, variant.apply(order), "throughput", "msg/s", Better.HIGHER);
      for (int round = 1; round <= ctx.options().rounds(); round++) {
        for (Side side : Side.values()) {
          ctx.record(key, side, round, once.run(side, order, ctx.options().messages()));
        }
      }
    }
  }

  /**
   * Empties the table of {@code side}, loads a fresh committed backlog of {@code n}, settles it.
   */
  void load(Side side, Order order, int n) throws Exception {
    OutboxTables table = table(side);
    ctx.db().reset(table);
    ctx.db().loadPending(table, n, order.keys(), ctx.options().payloadBytes());
    ctx.db().settle(table);
  }

  /**
   * One relay, batch {@value #BATCH}, drains the outbox backlog of {@code n} (loaded before)
   * through {@code sender}; returns the nanoseconds from starting the relay until no pending row is
   * left.
   *
   * @throws IllegalStateException if the drain did not end in time, or not every message was sent
   */
  long drainOutbox(Sender sender, Order order, int n) throws Exception {
    return drainOutbox(sender, order, n, UnaryOperator.identity());
  }

  /**
   * As {@link #drainOutbox(Sender, Order, int)}, with the relay's settings changed by {@code tune}.
   */
  long drainOutbox(Sender sender, Order order, int n, UnaryOperator<OutboxRelay.Builder> tune)
      throws Exception {
    Counted counted = new Counted(sender);
    long start = System.nanoTime();
    long nanos;
    try (OutboxRelay relay =
        tune.apply(
                ctx.relay(relayPool(), true, counted)
                    .name("bench-1")
                    .batchSize(BATCH)
                    .ordering(order.ordering()))
            .build()) {
      relay.start();
      DrainScenario.awaitDrained(ctx, counted::sent, n, BenchContext.deadlineFor(n));
      nanos = System.nanoTime() - start;
    }
    if (counted.sent() < n) {
      throw new IllegalStateException(
          "the sender reported " + counted.sent() + " records sent for " + n);
    }
    checkAllSent(Side.OUTBOX, n);
    return nanos;
  }

  /**
   * One raw publisher drains the raw backlog of {@code n} (loaded before), {@value #BATCH} rows per
   * transaction, each batch handed to {@code publisher} before the rows are marked sent; returns
   * the nanoseconds it took.
   */
  long drainRaw(RawQueue.Publisher publisher, int n) throws Exception {
    HikariDataSource pool = rawPool();
    RawQueue raw = ctx.db().raw();
    long start = System.nanoTime();
    Workers.runAll(
        "raw-publisher",
        1,
        BenchContext.deadlineFor(n),
        w -> {
          try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            while (raw.publish(c, BATCH, publisher) > 0) {
              // loop until no pending row is left
            }
          }
        });
    long nanos = System.nanoTime() - start;
    checkAllSent(Side.BASELINE, n);
    return nanos;
  }

  /** Messages per second of a drain of {@code n} that took {@code nanos}. */
  static double rate(int n, long nanos) {
    return n / (nanos / 1e9);
  }

  private void checkAllSent(Side side, int n) throws Exception {
    OutboxTables table = table(side);
    long sent = ctx.db().count(table, 1);
    if (sent != n || ctx.db().hasPending(table)) {
      throw new IllegalStateException(
          side.label() + " drain marked " + sent + " of " + n + " messages sent");
    }
  }

  private OutboxTables table(Side side) {
    return side == Side.BASELINE ? ctx.db().rawTables() : ctx.db().outboxTables();
  }

  private HikariDataSource relayPool() {
    if (relayPool == null) {
      // one connection for claims and acks, one held by LISTEN, one spare
      relayPool = ctx.db().pool("relay-1", 4);
    }
    return relayPool;
  }

  private HikariDataSource rawPool() {
    if (rawPool == null) {
      rawPool = ctx.db().pool("raw-publisher", 1);
    }
    return rawPool;
  }

  @Override
  public void close() {
    if (relayPool != null) {
      relayPool.close();
    }
    if (rawPool != null) {
      rawPool.close();
    }
  }

  /** Passes batches on and counts the records the sender reported sent. Thread-safe. */
  private static final class Counted implements Sender {
    private final Sender sender;
    private final LongAdder sent = new LongAdder();

    Counted(Sender sender) {
      this.sender = sender;
    }

    @Override
    public boolean acceptsRuns() {
      return sender.acceptsRuns();
    }

    @Override
    public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
      return sender
          .send(batch)
          .thenApply(
              outcomes -> {
                sent.add(outcomes.stream().filter(o -> o.status() == Outcome.Status.SENT).count());
                return outcomes;
              });
    }

    long sent() {
      return sent.sum();
    }
  }
}
