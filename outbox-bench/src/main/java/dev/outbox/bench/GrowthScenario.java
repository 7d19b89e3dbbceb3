package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Samples;
import dev.outbox.bench.Results.Side;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Backlog growth: the cost of one claim of {@value #BATCH} messages, on a table with no history and
 * on one with many already-sent rows (older than the pending ones, as history is). The outbox claim
 * is the dialect's claim statement exactly as the relay runs it (each claim is then acknowledged,
 * untimed, as the relay would); the baseline's is one raw consumer transaction. The claim must not
 * slow down as history accumulates.
 */
final class GrowthScenario {
  static final String NAME = "growth";

  /** Messages per claim: the relay's default batch size. */
  static final int BATCH = OutboxRelay.Builder.DEFAULT_BATCH_SIZE;

  /** Keys of the pending messages. */
  static final int KEYS = 10_000;

  private final BenchContext ctx;

  GrowthScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The variant label; {@link Targets} finds rows by it. */
  static String variant(Ordering ordering, int historyRows) {
    return ordering + ", " + String.format("%,d", historyRows) + " sent rows";
  }

  /** Both orderings, with no history and with the configured history, every round. */
  void run() throws Exception {
    int history = ctx.options().historyRows();
    List<Integer> sizes = history == 0 ? List.of(0) : List.of(0, history);
    try (HikariDataSource pool = ctx.db().pool("growth", 1)) {
      for (int rows : sizes) {
        long rawBase = withHistory(ctx.db().rawTables(), rows);
        long outboxBase = withHistory(ctx.db().outboxTables(), rows);
        for (Ordering ordering : List.of(Ordering.NONE, Ordering.PER_KEY)) {
          Key key = BenchContext.key(NAME, variant(ordering, rows), "claim", "ms", Better.LOWER);
          for (int round = 1; round <= ctx.options().rounds(); round++) {
            ctx.record(key, Side.BASELINE, round, rawClaims(pool, rawBase));
            ctx.record(key, Side.OUTBOX, round, outboxClaims(pool, outboxBase, ordering));
          }
        }
      }
    }
  }

  /** Empties {@code t} and fills it with {@code rows} sent rows; returns the last history id. */
  private long withHistory(OutboxTables t, int rows) throws Exception {
    ctx.db().reset(t);
    ctx.db().loadSent(t, rows, ctx.options().payloadBytes());
    return ctx.db().maxId(t);
  }

  /** Replaces the previous round's messages with a fresh pending backlog. */
  private void freshBacklog(OutboxTables t, long historyEnd) throws Exception {
    ctx.db().deleteAbove(t, historyEnd);
    int pending = (ctx.options().growthClaims() + 1) * BATCH;
    ctx.db().loadPending(t, pending, KEYS, ctx.options().payloadBytes());
    ctx.db().settle(t);
  }

  /** The median time of the raw consumer's claim transactions, in ms. */
  private double rawClaims(HikariDataSource pool, long historyEnd) throws Exception {
    freshBacklog(ctx.db().rawTables(), historyEnd);
    RawQueue raw = ctx.db().raw();
    double[] ms = new double[ctx.options().growthClaims()];
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      for (int i = 0; i < ms.length; i++) {
        long start = System.nanoTime();
        int n = raw.consume(c, BATCH, id -> {});
        ms[i] = (System.nanoTime() - start) / 1e6;
        requireFull(n);
      }
      c.setAutoCommit(true);
    }
    return median(ms);
  }

  /** The median time of the outbox dialect's claims, in ms. */
  private double outboxClaims(HikariDataSource pool, long historyEnd, Ordering ordering)
      throws Exception {
    OutboxTables t = ctx.db().outboxTables();
    freshBacklog(t, historyEnd);
    OutboxDialect dialect = ctx.db().dialect(true);
    double[] ms = new double[ctx.options().growthClaims()];
    String cursor = null;
    try (Connection c = pool.getConnection()) {
      for (int i = 0; i < ms.length; i++) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID token = UUID.randomUUID();
        ClaimRequest request =
            new ClaimRequest(
                BATCH,
                now,
                token,
                now.plus(Duration.ofMinutes(1)),
                ordering == Ordering.PER_KEY,
                cursor,
                i % 2 == 0);
        long start = System.nanoTime();
        ClaimResult result = dialect.claim(c, t, request);
        List<OutboxRecord> claimed = result.records();
        cursor = result.keyCursor();
        ms[i] = (System.nanoTime() - start) / 1e6;
        requireFull(claimed.size());
        List<Long> ids = claimed.stream().map(OutboxRecord::id).toList();
        dialect.ack(c, t, new AckBatch(token, now, ids, List.of(), List.of()));
      }
    }
    return median(ms);
  }

  private static void requireFull(int claimed) {
    if (claimed != BATCH) {
      throw new IllegalStateException("a claim returned " + claimed + " messages, not " + BATCH);
    }
  }

  private static double median(double[] values) {
    return new Samples(Arrays.stream(values).boxed().toList()).median();
  }
}
