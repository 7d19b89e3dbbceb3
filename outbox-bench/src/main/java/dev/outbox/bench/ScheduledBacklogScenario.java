package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxTables;
import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The claim beside many scheduled messages: one relay, batch {@value #BATCH}, drains N due messages
 * from a table that also holds {@code --scheduled} messages scheduled {@link #DELAY} ahead, against
 * the same drain from a table without them, interleaved round by round, for the sender scenarios'
 * orderings ({@code NONE}, {@code PER_KEY} over 100 keys; see {@link SenderDrain#orders}). Both
 * columns are outbox drains: "baseline" without the scheduled messages, "outbox" with them, so the
 * ratio is with / without.
 *
 * <p>Every run starts from an emptied table. The scheduled messages are enlisted first, through the
 * outbox ({@code delay}, {@value #ENLIST_CHUNK} a transaction), so their ids are the oldest; each
 * has a key of its own ({@code scheduled-i}, one reminder per entity), none shared with the due
 * messages, which a scheduled head would otherwise hold back under per-key order. Then the N due
 * messages are bulk-loaded and the table settled, as in the drain scenario. A run ends when the
 * sender has seen N records and no unscheduled pending row is left; it is checked to have sent
 * exactly the N due messages and left every scheduled one pending.
 */
final class ScheduledBacklogScenario {
  static final String NAME = "scheduled-backlog";

  /** Relays of every run. */
  static final int RELAYS = 1;

  /** Batch size of every run. */
  static final int BATCH = SenderDrain.BATCH;

  /** How far ahead the scheduled messages are due: far beyond any run. */
  static final Duration DELAY = Duration.ofDays(1);

  /** Scheduled messages per enlisting transaction. */
  static final int ENLIST_CHUNK = 1_000;

  private final BenchContext ctx;

  ScheduledBacklogScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The variant label. */
  static String variant(int scheduled, Order order) {
    return String.format(Locale.ROOT, "%,d scheduled vs none, %s", scheduled, order.label());
  }

  /** Each chosen ordering, the drain without and with the scheduled messages, every round. */
  void run() throws Exception {
    int scheduled = ctx.options().scheduled();
    ctx.out()
        .printf(
            Locale.ROOT,
            "%s: baseline column = drain of %,d due messages alone; outbox column = the same drain"
                + " with %,d messages scheduled %d h ahead enlisted before them%n",
            NAME,
            ctx.options().messages(),
            scheduled,
            DELAY.toHours());
    try (DrainScenario drain = new DrainScenario(ctx);
        HikariDataSource enlister = ctx.db().pool("scheduled-enlist", 1)) {
      for (Order order : SenderDrain.orders(ctx.options())) {
        Key key =
            BenchContext.key(NAME, variant(scheduled, order), "throughput", "msg/s", Better.HIGHER);
        for (int round = 1; round <= ctx.options().rounds(); round++) {
          for (Side side : Side.values()) {
            int s = side == Side.BASELINE ? 0 : scheduled;
            ctx.record(key, side, round, once(drain, enlister, order, s));
          }
        }
      }
    }
  }

  /**
   * One timed drain of N due messages from an emptied table holding {@code scheduled} scheduled
   * messages with older ids; returns messages per second.
   */
  private double once(DrainScenario drain, HikariDataSource enlister, Order order, int scheduled)
      throws Exception {
    int n = ctx.options().messages();
    OutboxTables t = ctx.db().outboxTables();
    ctx.db().reset(t);
    enlistScheduled(enlister, scheduled);
    ctx.db().loadPending(t, n, order.keys(), ctx.options().payloadBytes());
    ctx.db().settle(t);
    long nanos =
        drain.drainOutbox(RELAYS, BATCH, order, n, () -> ctx.db().hasUnscheduledPending(t));
    long sent = ctx.db().count(t, 1);
    long pending = ctx.db().count(t, 0);
    if (sent != n || pending != scheduled) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%s drain marked %d of %d due messages sent and left %d pending for %d scheduled",
              NAME,
              sent,
              n,
              pending,
              scheduled));
    }
    return n / (nanos / 1e9);
  }

  /** Enlists {@code count} messages scheduled {@link #DELAY} ahead, in chunks. */
  private void enlistScheduled(HikariDataSource enlister, int count) throws Exception {
    JdbcOutbox outbox = ctx.outbox(false);
    try (Connection c = enlister.getConnection()) {
      c.setAutoCommit(false);
      for (int from = 0; from < count; from += ENLIST_CHUNK) {
        int to = Math.min(count, from + ENLIST_CHUNK);
        List<OutboxMessage> chunk = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          chunk.add(
              OutboxMessage.builder(BenchContext.TOPIC)
                  .key("scheduled-" + i)
                  .payload(ctx.payload(i))
                  .delay(DELAY)
                  .build());
        }
        outbox.addAll(c, chunk);
        c.commit();
      }
      c.setAutoCommit(true);
    }
  }
}
