package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import dev.outbox.PartitionInterval;
import dev.outbox.PartitionMaintenance;
import dev.outbox.Sender;
import io.opentelemetry.api.OpenTelemetry;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak: producers commit at a steady rate for a long time (one message per transaction) and one
 * relay with default settings delivers to a no-op sender, with partition maintenance on {@code
 * HOURLY} (retention 0: a finished hour is dropped once delivered). In the middle an unrelated
 * transaction stays open, holding back what vacuum may remove. Every minute it prints the delivery
 * lag, the claim time, the table's sizes and its dead tuples; at the end it checks that nothing was
 * lost, that the lag came back to its level within a minute of the long transaction's end and that
 * the table stopped growing faster than before it. See docs/reliability.md.
 */
final class SoakScenario {
  private static final long SECOND = 1_000_000_000L;
  private static final long MINUTE = 60 * SECOND;

  /** How often the table's figures are read. */
  private static final long SAMPLE_EVERY = 10 * SECOND;

  /** How long the lag may stay above its level after the long transaction ends. */
  private static final long RECOVERY = MINUTE;

  private static final long MIB = 1 << 20;

  /** A delivered message: when the sender was handed it and how long after its commit. */
  private record Lag(long at, long nanos) {}

  private final BenchOptions options;
  private final BenchDatabase db;
  private final PrintStream out;
  private final OutboxTables tables;
  private final TimedClaims dialect;
  private final Map<UUID, Long> committing = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Lag> lags = new ConcurrentLinkedQueue<>();
  private final List<SoakStats> samples = new ArrayList<>();
  private final LongAdder committed = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final long longStart;
  private final long longEnd;
  private final long duration;
  private long t0;

  SoakScenario(BenchOptions options, BenchDatabase db, PrintStream out) {
    this.options = options;
    this.db = db;
    this.out = out;
    this.tables = db.outboxTables();
    this.dialect = new TimedClaims(db.dialect(true));
    this.duration = options.soakDuration().toNanos();
    long rest = duration - options.longTransaction().toNanos();
    long third = rest / 3;
    // On whole minutes when there is room, so the per-minute rows show it cleanly.
    this.longStart = third >= MINUTE ? third / MINUTE * MINUTE : third / SECOND * SECOND;
    this.longEnd = longStart + options.longTransaction().toNanos();
  }

  /**
   * Runs the soak, prints its figures; returns whether every check was met.
   *
   * @throws IllegalStateException when the server's autovacuum is off: the soak shows how the table
   *     fares with it
   */
  boolean run() throws Exception {
    try (HikariDataSource probe = db.pool("soak-probe", 1);
        Connection c = probe.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('autovacuum')")) {
      rs.next();
      if (!rs.getString(1).equals("on")) {
        throw new IllegalStateException(
            "autovacuum is off on this server, and the soak shows how the outbox table fares with"
                + " it: turn it on (ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf())");
      }
    }
    int threads = options.producerThreads();
    out.printf(
        Locale.ROOT,
        "soak: %d msg/s from %d threads for %s, one relay, HOURLY partitions; a transaction"
            + " elsewhere stays open from %s to %s%n",
        options.soakRate(),
        threads,
        options.soakDuration(),
        Duration.ofNanos(longStart),
        Duration.ofNanos(longEnd));
    out.println(header());
    try (HikariDataSource producers = db.pool("soak-producers", threads);
        HikariDataSource relayPool = db.pool("soak-relay", 4);
        HikariDataSource side = db.pool("soak-side", 2);
        PartitionMaintenance maintenance = maintenance(relayPool);
        OutboxRelay relay = relay(relayPool)) {
      maintenance.start();
      relay.start();
      t0 = System.nanoTime();
      Workers longTx = Workers.start("soak-long-transaction", 1, w -> holdOpen(side));
      Workers sampler = Workers.start("soak-sampler", 1, w -> sample(side));
      produce(producers, threads);
      awaitDelivered();
      sampler.join(Duration.ofMinutes(2));
      longTx.join(Duration.ofMinutes(1));
    }
    return summarize();
  }

  private PartitionMaintenance maintenance(HikariDataSource pool) {
    return PartitionMaintenance.builder(pool, db.dialect(true))
        .tables(tables)
        .name("soak")
        .interval(PartitionInterval.HOURLY)
        .retention(Duration.ZERO)
        .runPeriod(Duration.ofMinutes(1))
        .openTelemetry(OpenTelemetry.noop())
        .build();
  }

  private OutboxRelay relay(HikariDataSource pool) {
    Sender sender =
        batch -> {
          long now = System.nanoTime();
          for (OutboxRecord r : batch) {
            Long at = committing.remove(r.messageId());
            if (at == null) {
              duplicates.increment();
            } else {
              lags.add(new Lag(now, now - at));
            }
          }
          return CompletableFuture.completedFuture(Outcome.allSent(batch));
        };
    return OutboxRelay.builder(pool, dialect, sender)
        .tables(tables)
        .name("bench-soak")
        .openTelemetry(OpenTelemetry.noop())
        .maxBatchesInFlight(options.batchesInFlight())
        .linger(options.linger())
        .shutdownTimeout(BenchContext.RELAY_SHUTDOWN_TIMEOUT)
        .build();
  }

  /** One message a transaction; the lag runs from just before the commit. */
  private void produce(HikariDataSource pool, int threads) throws Exception {
    JdbcOutbox outbox =
        JdbcOutbox.builder(db.dialect(true))
            .tables(tables)
            .openTelemetry(OpenTelemetry.noop())
            .build();
    byte[] payload = new byte[options.payloadBytes()];
    long interval = SECOND * threads / options.soakRate();
    Workers.paced(
        "soak-producer",
        threads,
        interval,
        duration,
        options.soakDuration().plusMinutes(2),
        () -> {
          long n = ThreadLocalRandom.current().nextLong(1_000_000_000L);
          OutboxMessage m =
              OutboxMessage.builder(BenchContext.TOPIC)
                  .key(BenchContext.produceKey(n))
                  .payload(payload)
                  .build();
          try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            UUID id = outbox.add(c, m);
            committing.put(id, System.nanoTime());
            c.commit();
            committed.increment();
          }
        });
  }

  /** A transaction that has an id and a snapshot, open from {@link #longStart} to its end. */
  private void holdOpen(HikariDataSource pool) throws SQLException {
    LockSupport.parkNanos(t0 + longStart - System.nanoTime());
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SELECT txid_current()");
      LockSupport.parkNanos(t0 + longEnd - System.nanoTime());
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  /** Reads the figures every {@link #SAMPLE_EVERY} and prints a row every minute. */
  private void sample(HikariDataSource pool) throws SQLException {
    synchronized (samples) {
      samples.add(SoakStats.read(pool, tables));
    }
    for (long next = SAMPLE_EVERY; next <= duration; next += SAMPLE_EVERY) {
      LockSupport.parkNanos(t0 + next - System.nanoTime());
      SoakStats s = SoakStats.read(pool, tables);
      synchronized (samples) {
        samples.add(s);
      }
      if (next % MINUTE == 0) {
        out.println(row(next / MINUTE, s));
        out.flush();
      }
    }
  }

  private void awaitDelivered() {
    long deadline = System.nanoTime() + 60 * SECOND;
    while (!committing.isEmpty() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000L);
    }
  }

  private static String header() {
    return String.format(
        Locale.ROOT,
        "%6s %7s %8s %8s %7s %8s %8s %8s %8s %9s %8s %5s %5s %s",
        "minute",
        "sent/s",
        "lag p50",
        "lag p99",
        "claims",
        "claim ms",
        "claim99",
        "heap MB",
        "index MB",
        "pending MB",
        "dead",
        "vac",
        "parts",
        "long tx");
  }

  private String row(long minute, SoakStats s) {
    long from = (minute - 1) * MINUTE;
    long to = minute * MINUTE;
    double[] lag = lagMillis(from, to);
    double[] claim = claimMillis(from, to);
    boolean open = from < longEnd && to > longStart;
    return String.format(
        Locale.ROOT,
        "%6d %7.0f %8.1f %8.1f %7d %8.2f %8.2f %8.1f %8.1f %9.2f %8d %5d %5d %s",
        minute,
        lag.length / 60.0,
        LatencyProbe.quantile(lag, 0.5),
        LatencyProbe.quantile(lag, 0.99),
        claim.length,
        mean(claim),
        LatencyProbe.quantile(claim, 0.99),
        s.heapBytes() / (double) MIB,
        s.indexBytes() / (double) MIB,
        s.pendingIndexBytes() / (double) MIB,
        s.deadTuples(),
        s.autovacuums(),
        s.partitions(),
        open ? "open" : "");
  }

  /** Lags of the messages handed to the sender in [from, to) after the start, sorted, in ms. */
  private double[] lagMillis(long from, long to) {
    return lags.stream()
        .filter(l -> l.at() - t0 >= from && l.at() - t0 < to)
        .mapToDouble(l -> l.nanos() / 1e6)
        .sorted()
        .toArray();
  }

  private double[] claimMillis(long from, long to) {
    return dialect.claims().stream()
        .filter(c -> c.endedAt() - t0 >= from && c.endedAt() - t0 < to)
        .mapToDouble(c -> c.nanos() / 1e6)
        .sorted()
        .toArray();
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return values.length == 0 ? Double.NaN : sum / values.length;
  }

  /** Prints the totals and the checks; returns whether all were met. */
  private boolean summarize() {
    long lost = committing.size();
    out.printf(
        Locale.ROOT,
        "soak: committed=%d delivered=%d lost=%d duplicates=%d%n",
        committed.sum(),
        lags.size(),
        lost,
        duplicates.sum());
    boolean ok =
        check(
            "nothing lost, nothing delivered twice",
            lost == 0 && duplicates.sum() == 0,
            lost + " lost, " + duplicates.sum() + " duplicates");
    ok &= lagCameBack();
    ok &= sizesBounded();
    return ok;
  }

  /**
   * The lag's p99 over 10-second windows after the long transaction ends is back under twice its
   * level before it (or the level plus 25 ms, whichever is more) within a minute.
   */
  private boolean lagCameBack() {
    long baseFrom = Math.min(MINUTE, longStart / 2);
    double before = LatencyProbe.quantile(lagMillis(baseFrom, longStart), 0.99);
    double limit = Math.max(2 * before, before + 25);
    double worst = LatencyProbe.quantile(lagMillis(longStart, longEnd), 0.99);
    long lastAbove = longEnd;
    for (long w = longEnd; w + 10 * SECOND <= duration; w += 10 * SECOND) {
      if (LatencyProbe.quantile(lagMillis(w, w + 10 * SECOND), 0.99) > limit) {
        lastAbove = w + 10 * SECOND;
      }
    }
    long back = lastAbove - longEnd;
    return check(
        "lag back to its level within a minute of the long transaction's end",
        back <= RECOVERY,
        String.format(
            Locale.ROOT,
            "p99 %.1f ms before, %.1f ms while it was open; under %.1f ms again %d s after its end",
            before,
            worst,
            limit,
            back / SECOND));
  }

  /**
   * Once vacuum can work again, the pending indexes stop growing and the heap grows no faster than
   * before the long transaction (only by the history of sent rows, which retention drops).
   */
  private boolean sizesBounded() {
    List<SoakStats> all;
    synchronized (samples) {
      all = List.copyOf(samples);
    }
    SoakStats first = at(all, Math.min(MINUTE, longStart / 2));
    SoakStats beforeLong = at(all, longStart);
    SoakStats after = at(all, longEnd + 30 * SECOND);
    SoakStats last = all.get(all.size() - 1);
    boolean indexes = last.pendingIndexBytes() <= after.pendingIndexBytes() * 1.2 + MIB;
    double growthBefore = perMinute(first, beforeLong, SoakStats::heapBytes);
    double growthAfter = perMinute(after, last, SoakStats::heapBytes);
    boolean heap = growthAfter <= 1.5 * growthBefore + MIB;
    return check(
        "sizes bounded once the long transaction ended",
        indexes && heap,
        String.format(
            Locale.ROOT,
            "pending indexes %.2f MB 30 s after it, %.2f MB at the end; heap grew %.2f MB/min"
                + " before it, %.2f MB/min after it",
            after.pendingIndexBytes() / (double) MIB,
            last.pendingIndexBytes() / (double) MIB,
            growthBefore / MIB,
            growthAfter / MIB));
  }

  /** The first sample read at or after {@code offset}, or the last one. */
  private SoakStats at(List<SoakStats> all, long offset) {
    return all.stream()
        .filter(s -> s.at() - t0 >= offset)
        .findFirst()
        .orElse(all.get(all.size() - 1));
  }

  private static double perMinute(
      SoakStats from, SoakStats to, java.util.function.ToLongFunction<SoakStats> figure) {
    double minutes = Math.max(1, to.at() - from.at()) / (double) MINUTE;
    return (figure.applyAsLong(to) - figure.applyAsLong(from)) / minutes;
  }

  private boolean check(String what, boolean met, String figures) {
    out.printf("  %-7s %s: %s%n", met ? "met" : "MISSED", what, figures);
    return met;
  }
}
