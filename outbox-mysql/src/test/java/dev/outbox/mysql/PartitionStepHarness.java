package dev.outbox.mysql;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.MaintenanceResult;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionMaintenance;
import dev.outbox.testkit.MutableClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures how long each partition maintenance step holds the message table on MySQL or MariaDB,
 * and how long a producer that inserts all the while waits: splitting an empty {@code p_max} (the
 * steady state), splitting a {@code p_max} that holds rows (the job was not running), dropping a
 * partition of finished messages, and, for comparison, a {@code DELETE} of the same number of rows.
 *
 * <p>Run it from the repository root (the server found as the tests find it):
 *
 * <pre>
 * mvn -B -q -pl outbox-mysql -am -Ppartition-bench -DskipTests verify
 * </pre>
 *
 * <p>Add {@code -Dbench.rows=N} for another row count per day (default 200,000).
 */
public final class PartitionStepHarness {
  /** Digits 0-9, crossed six times: up to a million row numbers on MySQL and MariaDB alike. */
  private static final String FILL =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, created_at, status, attempts,
                      next_attempt_at, sent_at)
      WITH d AS (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3
                 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7
                 UNION ALL SELECT 8 UNION ALL SELECT 9),
           r AS (SELECT a.n + 10 * b.n + 100 * c.n + 1000 * e.n + 10000 * f.n + 100000 * g.n AS i
                   FROM d a, d b, d c, d e, d f, d g)
      SELECT UUID(), 'bench', CONCAT('key-', i %% 1000), REPEAT(MD5(i), 6), '{}',
             TIMESTAMPADD(MICROSECOND, i * ?, ?), 1, 1, ?, ?
        FROM r WHERE i < ?
      """;

  private static final String DELETE_DAY =
      "DELETE FROM %s WHERE created_at >= ? AND created_at < ? AND status = 1";

  /**
   * Producers write at the database clock, years before the measured days: this partition takes
   * their rows, so the partitions the steps split and drop hold only the harness's rows. It is past
   * the retention too, so the drop step also counts its unfinished rows and keeps it.
   */
  private static final String SPLIT_OFF_THE_PRESENT =
      """
      ALTER TABLE %s REORGANIZE PARTITION p_max INTO (
          PARTITION p_present VALUES LESS THAN ('2031-01-01 00:00:00'),
          PARTITION p_max VALUES LESS THAN (MAXVALUE))
      """;

  private static final Instant DAY = Instant.parse("2031-05-20T00:00:00Z");

  private final HikariDataSource ds;
  private final OutboxTables tables;
  private final long rows;
  private final List<long[]> inserts = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();

  private PartitionStepHarness(HikariDataSource ds, OutboxTables tables, long rows) {
    this.ds = ds;
    this.tables = tables;
    this.rows = rows;
  }

  /** Runs the measurement once and prints it. */
  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("bench.rows", 200_000L);
    if (rows < 1 || rows > 1_000_000) {
      throw new IllegalArgumentException("bench.rows must be between 1 and 1000000, was " + rows);
    }
    try (MySqlTestDatabase db = MySqlTestDatabase.create();
        HikariDataSource ds = db.dataSource("partition-bench", 4)) {
      OutboxTables tables = new OutboxTables(db.schema(), "outbox_bench");
      OutboxMigrations.migrate(ds, db.dialect(), tables);
      new PartitionStepHarness(ds, tables, rows).measure(db);
    }
  }

  private void measure(MySqlTestDatabase db) throws Exception {
    MutableClock clock = new MutableClock(DAY.plus(Duration.ofHours(10)));
    PartitionMaintenance job =
        PartitionMaintenance.builder(ds, db.dialect())
            .tables(tables)
            .clock(clock)
            .lockTimeout(Duration.ofSeconds(30))
            .build();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                String.format(SPLIT_OFF_THE_PRESENT, Sql.qualified(tables, tables.table())))) {
      ps.execute();
    }
    JdbcOutbox outbox = JdbcOutbox.builder(db.dialect()).tables(tables).build();
    enlist(outbox);
    job.runOnce();
    fill(DAY);
    fill(DAY.plus(Duration.ofDays(1)));
    Thread producer = startProducer(outbox);
    try {
      System.out.printf(
          Locale.ROOT,
          "%s, %,d rows per day, 1 producer inserting throughout%n%n"
              + "| step | rows moved or removed | step took | producer's longest insert |%n"
              + "|---|---|---|---|%n",
          serverVersion(),
          rows);
      clock.advance(Duration.ofDays(1));
      step("split an empty p_max (steady state)", job::runOnce);
      fill(DAY.plus(Duration.ofDays(21)));
      step("split a p_max holding one day's rows", job::runOnce);
      clock.advance(Duration.ofDays(7));
      step("drop a partition of finished messages", job::runOnce);
      step("DELETE of one day's finished messages", this::deleteSecondDay);
    } finally {
      stop.set(true);
      producer.join(30_000);
      job.close();
    }
  }

  private void step(String what, Step step) throws Exception {
    long start = System.nanoTime();
    Object result = step.run();
    long end = System.nanoTime();
    long longest =
        inserts.stream()
            .filter(i -> i[0] < end && i[1] > start)
            .mapToLong(i -> i[1] - i[0])
            .max()
            .orElse(0);
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %,d ms | %,d ms |%n",
        what,
        describe(result),
        (end - start) / 1_000_000,
        longest / 1_000_000);
  }

  private static String describe(Object result) {
    if (result instanceof MaintenanceResult r) {
      long moved = r.created().stream().mapToLong(MaintenanceResult.Created::rowsMoved).sum();
      return r.status()
          + ": created "
          + r.created().size()
          + " (moved "
          + moved
          + "), dropped "
          + r.dropped().size()
          + ", kept "
          + r.kept().size();
    }
    return result + " deleted";
  }

  @FunctionalInterface
  private interface Step {
    Object run() throws Exception;
  }

  private Thread startProducer(JdbcOutbox outbox) {
    Thread t =
        new Thread(
            () -> {
              while (!stop.get()) {
                long start = System.nanoTime();
                try {
                  enlist(outbox);
                } catch (SQLException e) {
                  System.out.println("producer failed: " + e);
                  return;
                }
                inserts.add(new long[] {start, System.nanoTime()});
              }
            },
            "outbox-bench-producer");
    t.start();
    return t;
  }

  private void enlist(JdbcOutbox outbox) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      outbox.add(c, OutboxMessage.of("producer", null, "x"));
      c.commit();
    }
  }

  private void fill(Instant day) throws SQLException {
    long stepMicros = Duration.ofDays(1).toNanos() / 1000 / rows;
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(String.format(FILL, Sql.qualified(tables, tables.table())))) {
      ps.setLong(1, stepMicros);
      ps.setString(2, Sql.utc(day));
      ps.setString(3, Sql.utc(day));
      ps.setString(4, Sql.utc(day));
      ps.setLong(5, rows);
      ps.executeUpdate();
    }
  }

  private long deleteSecondDay() throws SQLException {
    Instant from = DAY.plus(Duration.ofDays(1));
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(String.format(DELETE_DAY, Sql.qualified(tables, tables.table())))) {
      ps.setString(1, Sql.utc(from));
      ps.setString(2, Sql.utc(from.plus(Duration.ofDays(1))));
      return ps.executeUpdate();
    }
  }

  private String serverVersion() throws SQLException {
    try (Connection c = ds.getConnection()) {
      return c.getMetaData().getDatabaseProductName()
          + " "
          + c.getMetaData().getDatabaseProductVersion();
    }
  }
}
