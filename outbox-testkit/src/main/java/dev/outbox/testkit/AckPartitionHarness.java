package dev.outbox.testkit;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionInterval;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.OutboxDialect;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * What bounding an acknowledgement by its batch's creation times ({@link AckBatch#createdFrom()})
 * saves on a table with a history of daily partitions: fills {@code bench.days} past days (default
 * 14) with {@code bench.history} sent messages each (default 20,000) and today with pending ones,
 * then, in {@code bench.rounds} rounds (default 200), claims two batches of 100 and marks one sent
 * with the bounds and the other without (as acknowledgements were written before), alternating
 * which goes first, and prints the median and 90th percentile of each.
 *
 * <p>Run through each database module's {@code ack-bench} profile, for example {@code mvn -B -q -pl
 * outbox-postgres -am -Pack-bench -DskipTests verify}.
 */
public final class AckPartitionHarness {
  private static final int BATCH = 100;
  private static final String TABLE = "ack_bench";

  private static final String INSERT =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, created_at, status, attempts,
                      next_attempt_at, sent_at)
      VALUES (?, 'bench', ?, ?, '{}', ?, ?, ?, ?, ?)
      """;

  private final TestDatabase db;
  private final HikariDataSource ds;
  private final OutboxDialect dialect;
  private final OutboxTables tables;

  private AckPartitionHarness(TestDatabase db, HikariDataSource ds) {
    this.db = db;
    this.ds = ds;
    this.dialect = db.dialect();
    this.tables = new OutboxTables(db.schema(), TABLE);
  }

  /** Measures on {@code db} and prints the result. */
  public static void run(TestDatabase db) throws SQLException {
    int days = Integer.getInteger("bench.days", 14);
    int history = Integer.getInteger("bench.history", 20_000);
    int rounds = Integer.getInteger("bench.rounds", 200);
    try (HikariDataSource ds = db.dataSource("ack-bench", 2)) {
      new AckPartitionHarness(db, ds).measure(days, history, rounds);
    }
  }

  private void measure(int days, int history, int rounds) throws SQLException {
    OutboxMigrations.migrate(ds, dialect, tables);
    Instant today = PartitionInterval.DAILY.start(Instant.now());
    for (int d = days; d >= -1; d--) {
      Instant day = today.minus(Duration.ofDays(d));
      try (Connection c = ds.getConnection()) {
        dialect
            .partitions()
            .createPartition(
                c,
                tables,
                PartitionInterval.DAILY.partitionName(TABLE, day),
                day,
                day.plus(Duration.ofDays(1)),
                Duration.ofSeconds(10));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s: %d daily partitions of %,d sent messages, %,d pending today...%n",
        dialect.name(),
        days,
        history,
        2 * rounds * BATCH);
    for (int d = days; d >= 1; d--) {
      fill(today.minus(Duration.ofDays(d)), history, true);
    }
    fill(today, 2 * rounds * BATCH, false);

    long[] bounded = new long[rounds];
    long[] unbounded = new long[rounds];
    try (Connection c = ds.getConnection()) {
      for (int i = 0; i < rounds; i++) {
        boolean boundedFirst = i % 2 == 0;
        long first = ack(c, boundedFirst);
        long second = ack(c, !boundedFirst);
        bounded[i] = boundedFirst ? first : second;
        unbounded[i] = boundedFirst ? second : first;
      }
    }
    print("bounded by created_at (now)", bounded);
    print("unbounded (before)", unbounded);
    System.out.printf(
        Locale.ROOT,
        "median ratio bounded/unbounded: %.2f%n",
        (double) median(bounded) / median(unbounded));
  }

  /** Claims a batch and marks it sent; returns the nanoseconds the acknowledgement took. */
  private long ack(Connection c, boolean bounded) throws SQLException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    UUID token = UUID.randomUUID();
    List<OutboxRecord> records =
        dialect
            .claim(c, tables, ClaimRequest.unordered(BATCH, now, token, now.plusSeconds(60)))
            .records();
    if (records.size() != BATCH) {
      throw new IllegalStateException("claimed " + records.size() + ", expected " + BATCH);
    }
    List<Long> ids = records.stream().map(OutboxRecord::id).toList();
    Instant from = records.stream().map(OutboxRecord::createdAt).min(Instant::compareTo).get();
    Instant to = records.stream().map(OutboxRecord::createdAt).max(Instant::compareTo).get();
    AckBatch batch =
        bounded
            ? new AckBatch(token, now, ids, List.of(), List.of(), from, to)
            : new AckBatch(token, now, ids, List.of(), List.of());
    long t0 = System.nanoTime();
    int sent = dialect.ack(c, tables, batch).sent().size();
    long nanos = System.nanoTime() - t0;
    if (sent != BATCH) {
      throw new IllegalStateException("marked " + sent + " sent, expected " + BATCH);
    }
    return nanos;
  }

  /** Inserts {@code n} messages created from {@code start} on, a millisecond apart. */
  private void fill(Instant start, int n, boolean sent) throws SQLException {
    String sql = String.format(INSERT, tables.schema() + "." + TABLE);
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      c.setAutoCommit(false);
      for (int i = 0; i < n; i++) {
        Instant created = start.plusMillis(i);
        db.bindUuid(ps, 1, UUID.randomUUID());
        ps.setString(2, "key-" + (i % 100));
        ps.setBytes(3, ("message " + i).getBytes(StandardCharsets.UTF_8));
        db.bindInstant(ps, 4, created);
        ps.setInt(5, sent ? 1 : 0);
        ps.setInt(6, sent ? 1 : 0);
        db.bindInstant(ps, 7, sent ? created : start); // pending: all due from the day's start
        db.bindInstant(ps, 8, sent ? created.plusSeconds(1) : null);
        ps.addBatch();
        if ((i + 1) % 1_000 == 0 || i == n - 1) {
          ps.executeBatch();
          c.commit();
        }
      }
      c.setAutoCommit(true);
    }
  }

  private static void print(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "  ack of %d rows, %-28s median %7.3f ms   p90 %7.3f ms%n",
        BATCH,
        what,
        sorted[sorted.length / 2] / 1e6,
        sorted[sorted.length * 9 / 10] / 1e6);
  }

  private static long median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
