package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.Ordering;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.bench.BenchOptions.Database;
import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A backlog the planner has never seen: per round, N messages over {@value #KEYS} keys enlisted in
 * bulk ({@code addAll}, {@value #ENLIST_CHUNK} a transaction) into a freshly created table set, so
 * that no statistics exist for it (a TRUNCATE would keep the old ones), drained by one relay with
 * default settings ({@code PER_KEY}, batch {@value #BATCH}); then the same on another fresh table
 * set after an {@code ANALYZE}; beside the raw consumer's drain of N. Reports msg/s of each, the
 * never-analysed rate over the analysed one, and the rates of the first and last tenth of each
 * drain and the last over the first: a claim whose cost grows with the backlog starts slow and
 * speeds up as the backlog shrinks.
 *
 * <p>Both outbox backlogs are read once before they are timed (a count of their rows), so that the
 * analysed one, whose ANALYZE reads its pages, does not alone start with hint bits set.
 */
final class UnanalysedScenario {
  static final String NAME = "unanalysed";

  /** Keys of the backlog, as in the measurement. */
  static final int KEYS = 1_000;

  /** Batch size: the relay's default. */
  static final int BATCH = OutboxRelay.Builder.DEFAULT_BATCH_SIZE;

  /** Messages per enlisting transaction. */
  static final int ENLIST_CHUNK = 1_000;

  /** Variant of the drains of a never-analysed table. */
  static final String NEVER_ANALYSED =
      new Order(Ordering.PER_KEY, KEYS).label() + ", never analysed";

  /** Variant of the drains of an analysed table. */
  static final String ANALYSED = new Order(Ordering.PER_KEY, KEYS).label() + ", after ANALYZE";

  /** Metric of the never-analysed over analysed rows. */
  static final String ANALYSIS_RATIO = "never analysed / after ANALYZE";

  /** Metric of the last tenth's rate over the first tenth's. */
  static final String TENTHS_RATIO = "last / first tenth";

  /** Messages of the unreported per-key warm-up drain. */
  static final int WARMUP_MESSAGES = 10_000;

  private static final Duration END_POLL = Duration.ofMillis(2);

  private final BenchContext ctx;
  private int tableSets;

  UnanalysedScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** Every round: the raw drain, the never-analysed drain and the analysed drain. */
  void run() throws Exception {
    int n = ctx.options().messages();
    Key ratioKey =
        BenchContext.key(
            NAME, new Order(Ordering.PER_KEY, KEYS).label(), ANALYSIS_RATIO, "x", Better.HIGHER);
    try (HikariDataSource pool = ctx.db().pool("unanalysed", 4)) {
      if (ctx.options().warmup()) {
        // The harness's warm-up drains without order; JIT-compile the per-key path too, unreported.
        drainFresh(pool, Math.min(n, WARMUP_MESSAGES), true);
      }
      for (int round = 1; round <= ctx.options().rounds(); round++) {
        Drain raw = drainRaw(n);
        Drain never = drainFresh(pool, n, false);
        Drain analysed = drainFresh(pool, n, true);
        record(NEVER_ANALYSED, round, raw, never);
        record(ANALYSED, round, raw, analysed);
        ctx.record(ratioKey, Side.OUTBOX, round, never.rate() / analysed.rate());
      }
    }
  }

  /**
   * The targets: the never-analysed drain at 0.8 of the analysed one or faster, and in both
   * the last tenth's rate within 1.5 x of the first tenth's, as medians of the rounds' ratios.
   */
  static List<Targets.Check> targets(Results results) {
    List<Targets.Check> checks = new ArrayList<>();
    Results.Result ratio =
        results.find(NAME, new Order(Ordering.PER_KEY, KEYS).label(), ANALYSIS_RATIO);
    if (ratio == null) {
      return checks;
    }
    double r = ratio.outbox().median();
    checks.add(
        new Targets.Check(
            "unanalysed: never-analysed drain >= 0.8 x the analysed one",
            String.format(Locale.ROOT, "%.2f x (median of the rounds' ratios)", r),
            r >= 0.8));
    for (String variant : List.of(NEVER_ANALYSED, ANALYSED)) {
      Results.Result tenths = results.find(NAME, variant, TENTHS_RATIO);
      double t = tenths.outbox().median();
      checks.add(
          new Targets.Check(
              "unanalysed " + variant + ": last tenth's rate within 1.5 x of the first's",
              String.format(
                  Locale.ROOT,
                  "%.2f x (median of the rounds' ratios; baseline %.2f x)",
                  t,
                  tenths.baseline().median()),
              t >= 1 / 1.5 && t <= 1.5));
    }
    return checks;
  }

  private void record(String variant, int round, Drain raw, Drain outbox) {
    for (Side side : Side.values()) {
      Drain d = side == Side.BASELINE ? raw : outbox;
      ctx.record(key(variant, "throughput", "msg/s"), side, round, d.rate());
      ctx.record(key(variant, "first tenth", "msg/s"), side, round, d.firstTenth());
      ctx.record(key(variant, "last tenth", "msg/s"), side, round, d.lastTenth());
      ctx.record(key(variant, TENTHS_RATIO, "x"), side, round, d.lastTenth() / d.firstTenth());
    }
  }

  private static Key key(String variant, String metric, String unit) {
    return BenchContext.key(NAME, variant, metric, unit, Better.HIGHER);
  }

  /** One relay's drain of a fresh table set, analysed or not; the tables are dropped after. */
  private Drain drainFresh(HikariDataSource pool, int n, boolean analyse) throws Exception {
    OutboxTables t = new OutboxTables(ctx.db().outboxTables().schema(), "fresh_" + ++tableSets);
    OutboxMigrations.migrate(pool, ctx.db().dialect(false), t);
    try {
      enlist(pool, t, n);
      if (analyse) {
        execute(pool, (mysql() ? "ANALYZE TABLE " : "ANALYZE ") + qualified(t.table()));
      }
      execute(pool, "SELECT count(*) FROM " + qualified(t.table()));
      if (!mysql()) {
        checkpoint(pool);
      }
      return drainOutbox(t, n);
    } finally {
      for (String table :
          List.of(
              t.table(), t.deadLetterTable(), t.pauseTable(), t.relayTable(), t.historyTable())) {
        execute(pool, "DROP TABLE IF EXISTS " + qualified(table));
      }
    }
  }

  private void enlist(HikariDataSource pool, OutboxTables t, int n) throws SQLException {
    JdbcOutbox outbox = JdbcOutbox.builder(ctx.db().dialect(false)).tables(t).build();
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      List<OutboxMessage> chunk = new ArrayList<>(ENLIST_CHUNK);
      for (int i = 0; i < n; i++) {
        chunk.add(
            OutboxMessage.builder(BenchContext.TOPIC)
                .key("key-" + (i % KEYS))
                .payload(ctx.payload(i))
                .build());
        if (chunk.size() == ENLIST_CHUNK || i == n - 1) {
          outbox.addAll(c, chunk);
          c.commit();
          chunk.clear();
        }
      }
    }
  }

  private Drain drainOutbox(OutboxTables t, int n) throws Exception {
    Tenths tenths = new Tenths(n);
    CountingSender sender = new CountingSender(id -> tenths.add(1));
    try (HikariDataSource relayPool = ctx.db().pool("unanalysed-relay", 4)) {
      tenths.start();
      OutboxRelay relay =
          ctx.relay(relayPool, true, sender)
              .tables(t)
              .name("bench-unanalysed")
              .ordering(Ordering.PER_KEY)
              .batchSize(BATCH)
              .build();
      try {
        relay.start();
        awaitDrained(t, tenths, n);
      } finally {
        relay.close();
      }
    }
    long sent = ctx.db().count(t, 1);
    if (sent != n || tenths.received() != n) {
      throw new IllegalStateException(
          "the outbox drain handed over "
              + tenths.received()
              + " records and marked "
              + sent
              + " of "
              + n);
    }
    return tenths.drain();
  }

  private void awaitDrained(OutboxTables t, Tenths tenths, int n) throws Exception {
    long deadline = System.nanoTime() + BenchContext.deadlineFor(n).toNanos();
    while (tenths.received() < n || ctx.db().hasPending(t)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the drain of "
                + n
                + " messages did not finish within "
                + BenchContext.deadlineFor(n)
                + "; the sender saw "
                + tenths.received());
      }
      Thread.sleep(tenths.received() < n ? 1 : END_POLL.toMillis());
    }
    tenths.end();
  }

  /** The raw consumer's drain of N over the same keys, on the raw table, settled as usual. */
  private Drain drainRaw(int n) throws Exception {
    OutboxTables t = ctx.db().rawTables();
    ctx.db().reset(t);
    ctx.db().loadPending(t, n, KEYS, ctx.options().payloadBytes());
    ctx.db().settle(t);
    Tenths tenths = new Tenths(n);
    RawQueue raw = ctx.db().raw();
    try (HikariDataSource pool = ctx.db().pool("unanalysed-raw", 1);
        Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      tenths.start();
      while (raw.consume(c, BATCH, id -> tenths.add(1)) > 0) {
        // until nothing is left
      }
      tenths.end();
    }
    if (ctx.db().count(t, 1) != n) {
      throw new IllegalStateException("the raw drain did not mark all " + n + " messages sent");
    }
    return tenths.drain();
  }

  private boolean mysql() {
    return ctx.options().database() == Database.MYSQL;
  }

  private String qualified(String table) {
    String schema = ctx.db().outboxTables().schema();
    return mysql()
        ? MySqlBench.quote(schema) + '.' + MySqlBench.quote(table)
        : PostgresBench.quote(schema) + '.' + PostgresBench.quote(table);
  }

  private static void execute(HikariDataSource pool, String sql) throws SQLException {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** As {@link PostgresBench#settle} does: without the right to, the server's schedule applies. */
  private static void checkpoint(HikariDataSource pool) {
    try {
      execute(pool, "CHECKPOINT");
    } catch (SQLException e) {
      // not permitted: both drains share the server's own checkpoint schedule
    }
  }

  /**
   * One drain's rates.
   *
   * @param rate messages per second over the whole drain
   * @param firstTenth messages per second until a tenth of the backlog was handed over
   * @param lastTenth messages per second from nine tenths handed over to the end
   */
  record Drain(double rate, double firstTenth, double lastTenth) {}

  /** When a drain started, handed over its first tenth, reached nine tenths and ended. */
  private static final class Tenths {
    private final int n;
    private final long first;
    private final long ninth;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLongArray at = new AtomicLongArray(4);

    Tenths(int n) {
      this.n = n;
      this.first = Math.max(1, n / 10);
      this.ninth = n - first;
    }

    void start() {
      at.set(0, System.nanoTime());
    }

    void add(int records) {
      long before = received.getAndAdd(records);
      long after = before + records;
      if (before < first && after >= first) {
        at.set(1, System.nanoTime());
      }
      if (before < ninth && after >= ninth) {
        at.set(2, System.nanoTime());
      }
    }

    long received() {
      return received.get();
    }

    void end() {
      at.set(3, System.nanoTime());
    }

    Drain drain() {
      return new Drain(
          rate(n, at.get(0), at.get(3)),
          rate(first, at.get(0), at.get(1)),
          rate(n - ninth, at.get(2), at.get(3)));
    }

    private static double rate(long messages, long from, long to) {
      return messages / ((to - from) / 1e9);
    }
  }
}
