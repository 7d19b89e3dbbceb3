package dev.outbox.postgres;

import static dev.outbox.postgres.PostgresDialect.quote;

import dev.outbox.OutboxTables;
import dev.outbox.spi.DropOutcome;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.Partition;
import dev.outbox.spi.PartitionSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Partition maintenance on PostgreSQL (12+). The maintenance lock is {@code
 * pg_try_advisory_xact_lock} inside a transaction kept open on the lock connection, so it ends with
 * that transaction or session and can never stay behind on a pooled connection. Each DDL step is
 * one transaction that sets {@code lock_timeout} locally and locks the parent table ({@code ONLY},
 * so not every partition) before it looks at anything, so what it checks cannot change before it
 * commits. Partitions are read from {@code pg_inherits}; their bounds from the catalog's partition
 * bound expression, cast back to {@code timestamptz} in the same session.
 *
 * <p>(Longer than most classes because it holds every statement of the job next to the code that
 * binds it, as the dialect does for the relay; splitting it would separate the locks from the
 * checks they protect.)
 */
final class PostgresPartitions implements PartitionSupport {
  static final PostgresPartitions INSTANCE = new PostgresPartitions();

  /** SQLSTATE lock_not_available: {@code lock_timeout} ran out. */
  static final String LOCK_NOT_AVAILABLE = "55P03";

  /** SQLSTATE duplicate_table. */
  static final String DUPLICATE_TABLE = "42P07";

  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private PostgresPartitions() {}

  // ---- the maintenance lock ----

  private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(?)";

  @Override
  public boolean tryLock(Connection c, long key) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement(TRY_LOCK)) {
      ps.setLong(1, key);
      boolean locked;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        locked = rs.getBoolean(1);
      }
      if (!locked) {
        unlock(c, key);
      }
      return locked;
    } catch (SQLException | RuntimeException e) {
      endTransaction(c, e);
      throw e;
    }
  }

  /** Ending the transaction releases a transaction-scoped advisory lock. */
  @Override
  public void unlock(Connection c, long key) throws SQLException {
    c.rollback();
    c.setAutoCommit(true);
  }

  private static void endTransaction(Connection c, Throwable failure) {
    try {
      c.rollback();
      c.setAutoCommit(true);
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  // ---- the catalog ----

  /** The parent table, and whether it is range-partitioned on {@code created_at}. */
  private static final String DESCRIBE_TABLE =
      """
      SELECT n.nspname, c.relkind, pt.partstrat,
             (SELECT a.attname FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attnum = pt.partattrs[0]) AS partition_column
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
       WHERE c.oid = to_regclass(?)
      """;

  /**
   * The direct partitions of the table. A bound like {@code FROM ('2026-11-23 00:00:00+00')} is
   * printed in the session's time zone and cast back in the same session, so it round-trips
   * exactly; MINVALUE and MAXVALUE bounds read as null.
   */
  private static final String LIST_PARTITIONS =
      """
      SELECT n.nspname, c.relname, c.oid = pt.partdefid AS is_default,
             (regexp_match(b.bound, 'FROM \\(''([^'']*)''\\)'))[1]::timestamptz AS lower_bound,
             (regexp_match(b.bound, 'TO \\(''([^'']*)''\\)'))[1]::timestamptz AS upper_bound
        FROM pg_inherits i
        JOIN pg_partitioned_table pt ON pt.partrelid = i.inhparent
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
       WHERE i.inhparent = to_regclass(?) AND c.relispartition
       ORDER BY lower_bound NULLS FIRST, c.relname
      """;

  @Override
  public List<Partition> partitions(Connection c, OutboxTables tables) throws SQLException {
    describe(c, tables);
    return list(c, tables);
  }

  /** The partitions of a table {@link #describe} has checked. */
  private static List<Partition> list(Connection c, OutboxTables tables) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LIST_PARTITIONS)) {
      ps.setString(1, parent(tables));
      List<Partition> partitions = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          partitions.add(
              new Partition(
                  rs.getString(1),
                  rs.getString(2),
                  instant(rs, 4),
                  instant(rs, 5),
                  rs.getBoolean(3)));
        }
      }
      return partitions;
    }
  }

  /**
   * Checks that the table exists and is range-partitioned on {@code created_at}.
   *
   * @return the schema it lives in
   */
  private static String describe(Connection c, OutboxTables tables) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DESCRIBE_TABLE)) {
      ps.setString(1, parent(tables));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException(
              "outbox table " + parent(tables) + " does not exist; run OutboxMigrations first",
              "42P01");
        }
        if (!"p".equals(rs.getString(2))
            || !"r".equals(rs.getString(3))
            || !"created_at".equals(rs.getString(4))) {
          throw new SQLException(
              "outbox table "
                  + parent(tables)
                  + " is not range-partitioned on created_at, so it cannot be maintained by"
                  + " partition; create it with the outbox migrations",
              "42809");
        }
        return rs.getString(1);
      }
    }
  }

  private static final String CATCH_ALL_INTERVALS =
      """
      SELECT DISTINCT floor(extract(epoch FROM created_at) / ?)::bigint AS interval_number
        FROM %s
       ORDER BY 1
      """;

  @Override
  public SortedSet<Instant> catchAllIntervals(Connection c, OutboxTables tables, Duration interval)
      throws SQLException {
    SortedSet<Instant> starts = new TreeSet<>();
    Partition catchAll = catchAll(partitions(c, tables));
    if (catchAll == null) {
      return starts;
    }
    long seconds = interval.toSeconds();
    try (PreparedStatement ps =
        c.prepareStatement(String.format(CATCH_ALL_INTERVALS, name(catchAll)))) {
      ps.setLong(1, seconds);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          starts.add(Instant.ofEpochSecond(rs.getLong(1) * seconds));
        }
      }
    }
    return starts;
  }

  private static Partition catchAll(List<Partition> partitions) {
    return partitions.stream().filter(Partition::catchAll).findFirst().orElse(null);
  }

  // ---- creating a partition ----

  private static final String SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', ?, true)";
  private static final String LOCK_PARENT = "LOCK TABLE ONLY %s IN ACCESS EXCLUSIVE MODE";
  private static final String LOCK_PARTITION = "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE";

  private static final String HAS_ROWS_IN_RANGE =
      "SELECT EXISTS (SELECT 1 FROM %s WHERE created_at >= ? AND created_at < ?)";

  /**
   * The storage settings of every partition, as the migrations set them on the first ones: free
   * space on each page so that claims can be heap-only updates (V2, half of it since V5), and
   * autovacuum as a queue table needs it (V4).
   */
  static final String PARTITION_SETTINGS =
      "fillfactor = 50, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,"
          + " autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000,"
          + " autovacuum_vacuum_cost_limit = 2000";

  /** Bounds are literals: PostgreSQL does not take parameters in DDL. */
  private static final String CREATE_PARTITION =
      "CREATE TABLE %s PARTITION OF %s FOR VALUES FROM ('%s') TO ('%s') WITH ("
          + PARTITION_SETTINGS
          + ")";

  private static final String DETACH_CATCH_ALL = "ALTER TABLE %s DETACH PARTITION %s";
  private static final String ATTACH_CATCH_ALL = "ALTER TABLE %s ATTACH PARTITION %s DEFAULT";

  /** The parent's columns, in order, quoted by PostgreSQL itself. */
  private static final String COLUMN_LIST =
      """
      SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
        FROM pg_attribute
       WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped
      """;

  /**
   * Moves the range's rows from the detached catch-all partition into the parent, which routes them
   * to the new partition; every column is copied, the id included.
   */
  private static final String MOVE_ROWS =
      """
      WITH moved AS (DELETE FROM %1$s WHERE created_at >= ? AND created_at < ? RETURNING %3$s)
      INSERT INTO %2$s (%3$s) SELECT %3$s FROM moved
      """;

  /**
   * PostgreSQL refuses to create a partition for a range the DEFAULT partition holds rows of. So,
   * with the parent locked against every producer and relay: detach the DEFAULT partition, create
   * the new one, move the rows over, attach the DEFAULT partition again. One transaction: if any
   * step fails, all of it rolls back and no row is lost or doubled.
   */
  @Override
  public long createPartition(
      Connection c,
      OutboxTables tables,
      String name,
      Instant from,
      Instant to,
      Duration lockTimeout)
      throws SQLException {
    if (!PLAIN_IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("partition name '" + name + "' is not a plain identifier");
    }
    return Jdbc.inTransaction(
        c,
        tx -> {
          String schema = lockParent(tx, tables, lockTimeout);
          String partition = quote(schema) + "." + quote(name);
          Partition catchAll = catchAll(list(tx, tables));
          if (catchAll == null || !hasRowsIn(tx, catchAll, from, to)) {
            createTable(tx, tables, partition, from, to);
            return 0L;
          }
          execute(tx, String.format(LOCK_PARTITION, name(catchAll)));
          execute(tx, String.format(DETACH_CATCH_ALL, parent(tables), name(catchAll)));
          createTable(tx, tables, partition, from, to);
          long moved = moveRows(tx, tables, catchAll, from, to);
          execute(tx, String.format(ATTACH_CATCH_ALL, parent(tables), name(catchAll)));
          return moved;
        });
  }

  private static void createTable(
      Connection tx, OutboxTables tables, String partition, Instant from, Instant to)
      throws SQLException {
    try {
      execute(tx, String.format(CREATE_PARTITION, partition, parent(tables), from, to));
    } catch (SQLException e) {
      if (!DUPLICATE_TABLE.equals(e.getSQLState())) {
        throw e;
      }
      throw new SQLException(
          "cannot create partition "
              + partition
              + " of "
              + parent(tables)
              + ": a table of that name exists and is not a partition of it; rename or drop that"
              + " table",
          DUPLICATE_TABLE,
          e);
    }
  }

  /**
   * Sets the transaction's lock timeout and locks the parent table against every writer.
   *
   * @return the schema the table lives in
   */
  private static String lockParent(Connection tx, OutboxTables tables, Duration lockTimeout)
      throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement(SET_LOCK_TIMEOUT)) {
      ps.setString(1, lockTimeout.toMillis() + "ms");
      ps.execute();
    }
    String schema = describe(tx, tables);
    execute(tx, String.format(LOCK_PARENT, parent(tables)));
    return schema;
  }

  private static boolean hasRowsIn(Connection tx, Partition catchAll, Instant from, Instant to)
      throws SQLException {
    try (PreparedStatement ps =
        tx.prepareStatement(String.format(HAS_ROWS_IN_RANGE, name(catchAll)))) {
      ps.setObject(1, PostgresDialect.utc(from));
      ps.setObject(2, PostgresDialect.utc(to));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static long moveRows(
      Connection tx, OutboxTables tables, Partition catchAll, Instant from, Instant to)
      throws SQLException {
    String columns;
    try (PreparedStatement ps = tx.prepareStatement(COLUMN_LIST)) {
      ps.setString(1, parent(tables));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        columns = rs.getString(1);
      }
    }
    String sql = String.format(MOVE_ROWS, name(catchAll), parent(tables), columns);
    try (PreparedStatement ps = tx.prepareStatement(sql)) {
      ps.setObject(1, PostgresDialect.utc(from));
      ps.setObject(2, PostgresDialect.utc(to));
      return ps.executeUpdate();
    }
  }

  // ---- dropping a partition ----

  private static final String IS_PARTITION_OF =
      """
      SELECT EXISTS (SELECT 1 FROM pg_inherits
                      WHERE inhrelid = to_regclass(?) AND inhparent = to_regclass(?))
      """;

  /** Served by the partition's share of the partial index on pending rows. */
  private static final String COUNT_UNFINISHED = "SELECT count(*) FROM %s WHERE status = 0";

  private static final String DROP_PARTITION = "DROP TABLE %s";

  /**
   * With the parent and then the partition locked (the order producers lock them in), nobody can
   * insert, claim or update a row in it until the transaction ends: the count of unfinished rows
   * stays true until the drop commits.
   */
  @Override
  public DropOutcome dropIfFinished(
      Connection c, OutboxTables tables, Partition partition, Duration lockTimeout)
      throws SQLException {
    if (partition.catchAll()) {
      throw new IllegalArgumentException("the catch-all partition is never dropped");
    }
    return Jdbc.inTransaction(
        c,
        tx -> {
          lockParent(tx, tables, lockTimeout);
          if (!isPartitionOf(tx, partition, tables)) {
            return DropOutcome.notAPartition();
          }
          execute(tx, String.format(LOCK_PARTITION, name(partition)));
          long unfinished = countUnfinished(tx, partition);
          if (unfinished > 0) {
            return DropOutcome.keptFor(unfinished);
          }
          execute(tx, String.format(DROP_PARTITION, name(partition)));
          return DropOutcome.droppedIt();
        });
  }

  private static boolean isPartitionOf(Connection tx, Partition partition, OutboxTables tables)
      throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement(IS_PARTITION_OF)) {
      ps.setString(1, name(partition));
      ps.setString(2, parent(tables));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static long countUnfinished(Connection tx, Partition partition) throws SQLException {
    try (PreparedStatement ps =
            tx.prepareStatement(String.format(COUNT_UNFINISHED, name(partition)));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (LOCK_NOT_AVAILABLE.equals(x.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  // ---- helpers ----

  private static String parent(OutboxTables tables) {
    return PostgresDialect.qualified(tables, tables.table());
  }

  /** A partition's schema-qualified name. */
  private static String name(Partition p) {
    return quote(p.schema()) + "." + quote(p.name());
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
