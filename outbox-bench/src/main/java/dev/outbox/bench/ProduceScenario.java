package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxTables;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Produce: N messages, one per transaction, from several threads through a HikariCP pool. The
 * outbox enlists each with {@link JdbcOutbox#add}; the baseline inserts the same row with a plain
 * INSERT in the same kind of transaction. Variants: the outbox's default settings against the plain
 * INSERT, and where the database has notifications, NOTIFY with every commit against the INSERT
 * plus the same NOTIFY, and NOTIFY off against the plain INSERT. No relay runs meanwhile.
 */
final class ProduceScenario {
  static final String NAME = "produce";

  private final BenchContext ctx;

  ProduceScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** How the producers wake relays: the outbox's dialect and what the baseline pays for it. */
  enum Wake {
    /** The dialect's defaults (on PostgreSQL a NOTIFY at most once per notify window). */
    DEFAULT("default settings vs plain INSERT"),
    /** A NOTIFY with every commit, on both sides. */
    EVERY_COMMIT("NOTIFY every commit, both sides"),
    /** No NOTIFY. */
    OFF("NOTIFY off vs plain INSERT");

    private final String label;

    Wake(String label) {
      this.label = label;
    }

    /** Whether the baseline's transactions NOTIFY. */
    boolean baselineNotifies() {
      return this == EVERY_COMMIT;
    }
  }

  /** The variant label of a wake-up setting; {@link Targets} finds rows by it. */
  static String variant(Wake wake, int threads) {
    return wake.label + ", " + threads + " threads";
  }

  /** The settings a run compares: all three, or the default only without notifications. */
  static List<Wake> wakes(BenchDatabase db) {
    return db.hasNotifications() ? List.of(Wake.values()) : List.of(Wake.DEFAULT);
  }

  /** Runs each wake-up setting, interleaved with the baseline, every round. */
  void run() throws Exception {
    int threads = ctx.options().producerThreads();
    try (HikariDataSource pool = ctx.db().pool("producers", threads)) {
      for (Wake notify : wakes(ctx.db())) {
        Key key =
            BenchContext.key(NAME, variant(notify, threads), "throughput", "msg/s", Better.HIGHER);
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
  double once(HikariDataSource pool, Side side, Wake notify, int n) throws Exception {
    OutboxTables table = side == Side.BASELINE ? ctx.db().rawTables() : ctx.db().outboxTables();
    Transaction tx =
        side == Side.BASELINE ? raw(notify.baselineNotifies()) : outbox(ctx.db().dialect(notify));
    return timed(pool, table, tx, n, side.label());
  }

  /**
   * One timed run of the outbox with default settings, each message carrying an idempotency key of
   * its own (a random UUID, as a caller's event or request id would be), on empty tables and an
   * empty idempotency table; returns messages per second.
   *
   * @throws IllegalStateException if a message or a key was not written
   */
  double onceWithIdempotencyKeys(HikariDataSource pool, int n) throws Exception {
    OutboxTables table = ctx.db().outboxTables();
    ctx.db().resetIdempotencyKeys(table);
    OutboxDialect dialect = ctx.db().dialect(Wake.DEFAULT);
    double rate = timed(pool, table, outbox(dialect, true), n, "keyed outbox");
    long keys = ctx.db().idempotencyKeys(table);
    if (keys != n) {
      throw new IllegalStateException(
          "keyed produce recorded " + keys + " idempotency keys, expected " + n);
    }
    return rate;
  }

  /** Empties and settles {@code table}, then times writing {@code n} messages with {@code tx}. */
  private double timed(HikariDataSource pool, OutboxTables table, Transaction tx, int n, String who)
      throws Exception {
    ctx.db().reset(table);
    ctx.db().settle(table);
    long start = System.nanoTime();
    writeAll(pool, tx, n);
    double seconds = (System.nanoTime() - start) / 1e9;
    long written = ctx.db().count(table, 0);
    if (written != n) {
      throw new IllegalStateException(who + " produce wrote " + written + " rows, expected " + n);
    }
    return n / seconds;
  }

  /**
   * Writes messages 0 to {@code n - 1}, one per transaction, from the configured number of producer
   * threads sharing {@code pool}; returns when all are committed.
   */
  void writeAll(HikariDataSource pool, Transaction tx, int n) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
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
  }

  /** Writes message {@code i} in the caller's transaction. */
  @FunctionalInterface
  interface Transaction {
    void write(Connection c, int i) throws SQLException;
  }

  /** The baseline's transaction: a plain INSERT of the row, with or without a NOTIFY. */
  Transaction raw(boolean notify) {
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

  /** The outbox's transaction: {@link JdbcOutbox#add} through {@code dialect}. */
  Transaction outbox(OutboxDialect dialect) {
    return outbox(dialect, false);
  }

  /**
   * The outbox's transaction through {@code dialect}; with {@code idempotencyKeys}, every message
   * carries a random UUID as its idempotency key.
   */
  private Transaction outbox(OutboxDialect dialect, boolean idempotencyKeys) {
    JdbcOutbox outbox = ctx.outbox(dialect);
    return (c, i) -> {
      OutboxMessage.Builder message =
          OutboxMessage.builder(BenchContext.TOPIC)
              .key(BenchContext.produceKey(i))
              .payload(ctx.payload(i));
      if (idempotencyKeys) {
        message.idempotencyKey(UUID.randomUUID().toString());
      }
      outbox.add(c, message.build());
    };
  }
}
