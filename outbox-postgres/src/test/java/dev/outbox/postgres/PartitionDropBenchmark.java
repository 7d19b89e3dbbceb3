package dev.outbox.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.MaintenanceResult;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionInterval;
import dev.outbox.PartitionMaintenance;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Measures what retention by partition saves over {@code DELETE}: fills two identical daily
 * partitions with finished (sent) messages, then, in one run, drops the older one through {@link
 * PartitionMaintenance} and deletes every row of the other with {@code DELETE}, and prints the time
 * each took, the dead tuples each left behind and the space each gave back.
 *
 * <p>Run it from the repository root (PostgreSQL found as the tests find it):
 *
 * <pre>
 * mvn -B -q -pl outbox-postgres -am -Ppartition-bench -DskipTests test
 * </pre>
 *
 * <p>Add {@code -Dbench.rows=N} for another row count per partition (default 1,000,000). Autovacuum
 * is switched off on both partitions while measuring, so the dead tuples read are what the
 * statement left, not what autovacuum had not yet reached.
 */
public final class PartitionDropBenchmark {
  /** Sent messages, one every {@code step} milliseconds from the start of the day. */
  private static final String FILL =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, created_at, status, attempts,
                      next_attempt_at, sent_at)
      SELECT gen_random_uuid(), 'bench', 'key-' || (i %% 1000),
             convert_to(repeat(md5(i::text), 6), 'UTF8'),
             ?::timestamptz + i * (? * interval '1 millisecond'), 1, 1,
             ?::timestamptz, ?::timestamptz
        FROM generate_series(0, ? - 1) AS i
      """;

  private static final String DELETE_DAY =
      "DELETE FROM %s WHERE created_at >= ? AND created_at < ? AND status = 1";

  private static final String DEAD_TUPLES =
      "SELECT n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relid = to_regclass(?)";

  private PartitionDropBenchmark() {}

  /** Runs the measurement once and prints it. */
  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("bench.rows", 1_000_000L);
    try (PostgresTestDatabase db = PostgresTestDatabase.create();
        HikariDataSource ds = db.dataSource("partition-bench", 4)) {
      new Run(db.schema(), ds, rows).measure();
    }
  }

  private record Run(String schema, HikariDataSource ds, long rows) {
    private static final String TABLE = "bench_outbox";

    void measure() throws SQLException {
      OutboxTables tables = new OutboxTables(schema, TABLE);
      OutboxMigrations.migrate(ds, new PostgresDialect(), tables);
      Instant today = PartitionInterval.DAILY.start(Instant.now());
      Instant dropDay = today.minus(Duration.ofDays(10));
      Instant deleteDay = today.minus(Duration.ofDays(5));
      String dropped = create(tables, dropDay);
      String deleted = create(tables, deleteDay);
      System.out.printf(
          Locale.ROOT,
          "filling %s and %s with %,d sent messages each...%n",
          dropped,
          deleted,
          rows);
      fill(dropDay);
      fill(deleteDay);
      prepare(dropped);
      prepare(deleted);
      Size beforeDrop = size(dropped);
      Size beforeDelete = size(deleted);

      PartitionMaintenance job =
          PartitionMaintenance.builder(ds, new PostgresDialect())
              .tables(new OutboxTables(schema, TABLE))
              .retention(Duration.ofDays(7))
              .clock(Clock.systemUTC())
              .build();
      long t0 = System.nanoTime();
      MaintenanceResult result = job.runOnce();
      double dropSeconds = (System.nanoTime() - t0) / 1e9;
      job.close();
      if (result.dropped().size() != 1) {
        throw new IllegalStateException("expected one dropped partition, got " + result);
      }

      long t1 = System.nanoTime();
      long deletedRows = deleteDay(deleteDay);
      double deleteSeconds = (System.nanoTime() - t1) / 1e9;
      Size afterDelete = size(deleted);
      long t2 = System.nanoTime();
      execute("VACUUM " + deleted);
      double vacuumSeconds = (System.nanoTime() - t2) / 1e9;
      Size afterVacuum = size(deleted);

      print("rows per partition", String.format(Locale.ROOT, "%,d", rows));
      print(
          "partition size before",
          beforeDrop + " (dropped one), " + beforeDelete + " (deleted one)");
      print(
          "drop (PartitionMaintenance.runOnce)",
          String.format(
              Locale.ROOT,
              "%.3f s for the whole run; %s %s, %s returned to the OS, no dead tuples left",
              dropSeconds,
              dropped,
              exists(dropped) ? "STILL EXISTS" : "is gone",
              mb(beforeDrop.bytes)));
      print(
          "DELETE of the same rows",
          String.format(
              Locale.ROOT,
              "%.3f s for %,d rows; %,d dead tuples left, table and indexes still %s",
              deleteSeconds,
              deletedRows,
              afterDelete.deadTuples,
              mb(afterDelete.bytes)));
      print(
          "then VACUUM of the deleted partition",
          String.format(
              Locale.ROOT,
              "%.3f s more; %,d dead tuples left, table and indexes now %s",
              vacuumSeconds,
              afterVacuum.deadTuples,
              mb(afterVacuum.bytes)));
    }

    private boolean exists(String partition) throws SQLException {
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
        ps.setString(1, partition);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    }

    private String create(OutboxTables tables, Instant day) throws SQLException {
      String name = PartitionInterval.DAILY.partitionName(TABLE, day);
      try (Connection c = ds.getConnection()) {
        new PostgresDialect()
            .partitions()
            .createPartition(
                c, tables, name, day, day.plus(Duration.ofDays(1)), Duration.ofSeconds(5));
      }
      return schema + "." + name;
    }

    private void fill(Instant day) throws SQLException {
      long stepMillis = Math.max(1, Duration.ofDays(1).toMillis() / rows - 1);
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement(String.format(FILL, schema + "." + TABLE))) {
        ps.setString(1, day.toString());
        ps.setLong(2, stepMillis);
        ps.setString(3, day.toString());
        ps.setString(4, day.plusSeconds(1).toString());
        ps.setLong(5, rows);
        ps.executeUpdate();
      }
    }

    private void prepare(String partition) throws SQLException {
      execute("ALTER TABLE " + partition + " SET (autovacuum_enabled = off)");
      execute("VACUUM ANALYZE " + partition);
    }

    private long deleteDay(Instant day) throws SQLException {
      try (Connection c = ds.getConnection();
          PreparedStatement ps =
              c.prepareStatement(String.format(DELETE_DAY, schema + "." + TABLE))) {
        ps.setObject(1, PostgresDialect.utc(day));
        ps.setObject(2, PostgresDialect.utc(day.plus(Duration.ofDays(1))));
        long deleted = ps.executeUpdate();
        // Statistics are flushed when this backend goes idle; make sure the next idle flushes.
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_stat_force_next_flush()");
        }
        return deleted;
      }
    }

    /** The partition's size and dead tuples as the statistics system has them. */
    private Size size(String partition) throws SQLException {
      try (Connection c = ds.getConnection()) {
        long bytes;
        try (PreparedStatement ps =
            c.prepareStatement("SELECT pg_total_relation_size(to_regclass(?))")) {
          ps.setString(1, partition);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            bytes = rs.getLong(1);
          }
        }
        try (PreparedStatement ps = c.prepareStatement(DEAD_TUPLES)) {
          ps.setString(1, partition);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Size(bytes, rs.getLong(2));
          }
        }
      }
    }

    private void execute(String sql) throws SQLException {
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.execute(sql);
        s.execute("SELECT pg_stat_force_next_flush()");
      }
    }

    private static String mb(long bytes) {
      return String.format(Locale.ROOT, "%.1f MB", bytes / 1024.0 / 1024.0);
    }

    private static void print(String what, String value) {
      System.out.printf(Locale.ROOT, "%-36s %s%n", what + ":", value);
    }
  }

  private record Size(long bytes, long deadTuples) {
    @Override
    public String toString() {
      return Run.mb(bytes);
    }
  }
}
