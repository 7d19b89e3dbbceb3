package dev.outbox.mysql;

import static dev.outbox.mysql.Sql.execute;
import static dev.outbox.mysql.Sql.quote;

import dev.outbox.OutboxTables;
import dev.outbox.spi.DropOutcome;
import dev.outbox.spi.Partition;
import dev.outbox.spi.PartitionSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Partition maintenance on MySQL 8.0+ and MariaDB 10.6+, for the message table the migrations
 * create: {@code PARTITION BY RANGE COLUMNS (created_at)} with a {@code MAXVALUE} catch-all
 * partition.
 *
 * <ul>
 *   <li>The maintenance lock is {@code GET_LOCK(name, 0)}, a session lock taken and released on the
 *       job's lock connection; the server releases it if that session ends. Lock names are
 *       server-wide, so the name holds the key and the connection's default database, the way a
 *       PostgreSQL advisory lock is scoped to one database; see {@link MaintenanceLock}.
 *   <li>Partitions are read from {@code information_schema.PARTITIONS}; see {@link
 *       MySqlPartitionCatalog}.
 *   <li>A partition is created by splitting it off the catch-all partition with {@code ALTER TABLE
 *       … REORGANIZE PARTITION}, which moves the catch-all's rows of the new range with it in one
 *       atomic statement; a partition is dropped with {@code ALTER TABLE … DROP PARTITION}.
 *   <li>Each DDL step runs with the table write-locked (see {@link LockedTable}), so the rows it
 *       counts cannot change before its {@code ALTER TABLE}: MySQL DDL commits implicitly, so a
 *       transaction could not keep them so.
 * </ul>
 *
 * <p>A range partition has only an upper bound, so a new partition covers everything from the
 * previous bound up to its own; the job creates partitions in ascending order and never leaves rows
 * behind in a gap. Dropping a partition lets the next one's range reach down to the previous bound.
 *
 * <p>Where MySQL and MariaDB differ, this class uses only what both accept:
 *
 * <ul>
 *   <li>MySQL refuses lock names over 64 characters, MariaDB takes longer ones; names are kept
 *       within 64.
 *   <li>MariaDB can bound one statement's lock wait ({@code ALTER TABLE … WAIT n}, {@code SET
 *       STATEMENT}), MySQL cannot; both have the session variable {@code lock_wait_timeout}, in
 *       whole seconds, and both report error 1205 (SQLState HY000) when it runs out.
 *   <li>Both show a bound in {@code PARTITION_DESCRIPTION} as it was written in the DDL; the bound
 *       is read with or without quotes, time of day and fractional seconds.
 *   <li>A single {@code ALTER TABLE} is atomic on MySQL 8.0 (atomic DDL) and crash-safe on MariaDB
 *       10.6+; it either moves every row of the new range or none.
 * </ul>
 *
 * <p>(Slightly over 300 lines: every statement sits next to the code that binds it, and the
 * differences between the servers are written down here.)
 */
final class MySqlPartitions implements PartitionSupport {
  static final MySqlPartitions INSTANCE = new MySqlPartitions();

  /** ER_LOCK_WAIT_TIMEOUT: a metadata lock or row lock wait ran out, on MySQL and MariaDB. */
  static final int LOCK_WAIT_TIMEOUT = 1205;

  /** Partition names the job asks for: letters, digits and underscores, at most 63 characters. */
  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private MySqlPartitions() {}

  // ---- the maintenance lock ----

  @Override
  public boolean tryLock(Connection c, long key) throws SQLException {
    return MaintenanceLock.tryLock(c, key);
  }

  /**
   * Releases the lock; fails (so the job discards the connection) if this session did not hold it.
   */
  @Override
  public void unlock(Connection c, long key) throws SQLException {
    MaintenanceLock.unlock(c, key);
  }

  // ---- the catalog ----

  @Override
  public List<Partition> partitions(Connection c, OutboxTables tables) throws SQLException {
    return MySqlPartitionCatalog.read(c, tables);
  }

  /**
   * {@code created_at} holds UTC wall-clock time, so its distance from the epoch in seconds is its
   * Unix time whatever the session time zone ({@code UNIX_TIMESTAMP} would apply that zone).
   */
  private static final String CATCH_ALL_INTERVALS =
      """
      SELECT DISTINCT TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', created_at) DIV ?
        FROM %s PARTITION (%s)
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
    String sql = String.format(CATCH_ALL_INTERVALS, table(tables), quote(catchAll.name()));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, seconds);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          starts.add(Instant.ofEpochSecond(rs.getLong(1) * seconds));
        }
      }
    }
    return starts;
  }

  // ---- creating a partition ----

  /** The rows that move into a new partition: every row of the catch-all below its bound. */
  private static final String COUNT_ROWS_BELOW =
      "SELECT count(*) FROM %s PARTITION (%s) WHERE created_at < ?";

  private static final String SPLIT_CATCH_ALL =
      """
      ALTER TABLE %1$s REORGANIZE PARTITION %2$s INTO (
          PARTITION %3$s VALUES LESS THAN (%4$s),
          PARTITION %2$s VALUES LESS THAN (MAXVALUE))
      """;

  /** For a table whose catch-all partition someone removed. */
  private static final String ADD_PARTITION =
      "ALTER TABLE %s ADD PARTITION (PARTITION %s VALUES LESS THAN (%s))";

  /**
   * Splits {@code [.., to)} off the catch-all partition, with the table write-locked: the count of
   * rows that move is exact, and the {@code REORGANIZE PARTITION} moves them in one atomic
   * statement, nothing lost or duplicated. The new partition starts where the previous one ends.
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
    return LockedTable.write(
        c,
        table(tables),
        lockTimeout,
        locked -> {
          List<Partition> existing = partitions(locked, tables);
          checkCanCreate(tables, existing, name, to);
          Partition catchAll = catchAll(existing);
          String bound = MySqlPartitionCatalog.literal(to);
          if (catchAll == null) {
            execute(locked, String.format(ADD_PARTITION, table(tables), quote(name), bound));
            return 0L;
          }
          long moving = countRowsBelow(locked, tables, catchAll, to);
          execute(
              locked,
              String.format(
                  SPLIT_CATCH_ALL, table(tables), quote(catchAll.name()), quote(name), bound));
          return moving;
        });
  }

  /** Refuses, naming the problem, what the server would refuse with a less helpful message. */
  private static void checkCanCreate(
      OutboxTables tables, List<Partition> existing, String name, Instant to) throws SQLException {
    for (Partition p : existing) {
      if (p.name().equalsIgnoreCase(name)) {
        throw new SQLException(
            "cannot create partition "
                + name
                + " of "
                + table(tables)
                + ": a partition of that name already exists for another range (up to "
                + (p.catchAll() ? "MAXVALUE" : p.to())
                + "); rename it with ALTER TABLE … REORGANIZE PARTITION",
            MySqlPartitionCatalog.WRONG_TABLE);
      }
      if (!p.catchAll() && !p.to().isBefore(to)) {
        throw new SQLException(
            "cannot create partition "
                + name
                + " of "
                + table(tables)
                + " up to "
                + to
                + ": partition "
                + p.name()
                + " already reaches "
                + p.to(),
            MySqlPartitionCatalog.WRONG_TABLE);
      }
    }
  }

  private static long countRowsBelow(
      Connection c, OutboxTables tables, Partition catchAll, Instant to) throws SQLException {
    String sql = String.format(COUNT_ROWS_BELOW, table(tables), quote(catchAll.name()));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, Sql.utc(to));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  // ---- dropping a partition ----

  /** Served by the partition's share of the pending index, which status leads. */
  private static final String COUNT_UNFINISHED =
      "SELECT count(*) FROM %s PARTITION (%s) WHERE status = 0";

  private static final String DROP_PARTITION = "ALTER TABLE %s DROP PARTITION %s";

  /**
   * With the table write-locked, every transaction that touched it has ended and no new one can
   * start: the count of unfinished rows includes every committed change and stays true until the
   * {@code DROP PARTITION}. A partition whose name or upper bound changed since the job listed it
   * is left alone.
   */
  @Override
  public DropOutcome dropIfFinished(
      Connection c, OutboxTables tables, Partition partition, Duration lockTimeout)
      throws SQLException {
    if (partition.catchAll()) {
      throw new IllegalArgumentException("the catch-all partition is never dropped");
    }
    return LockedTable.write(
        c,
        table(tables),
        lockTimeout,
        locked -> {
          Partition current = sameRange(partitions(locked, tables), partition);
          if (current == null) {
            return DropOutcome.notAPartition();
          }
          long unfinished = countUnfinished(locked, tables, current);
          if (unfinished > 0) {
            return DropOutcome.keptFor(unfinished);
          }
          execute(locked, String.format(DROP_PARTITION, table(tables), quote(current.name())));
          return DropOutcome.droppedIt();
        });
  }

  private static Partition sameRange(List<Partition> partitions, Partition wanted) {
    return partitions.stream()
        .filter(p -> !p.catchAll() && p.name().equals(wanted.name()) && p.to().equals(wanted.to()))
        .findFirst()
        .orElse(null);
  }

  private static long countUnfinished(Connection c, OutboxTables tables, Partition p)
      throws SQLException {
    String sql = String.format(COUNT_UNFINISHED, table(tables), quote(p.name()));
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Error 1205, which both servers report for a metadata lock wait that ran out. */
  @Override
  public boolean isLockTimeout(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (x.getErrorCode() == LOCK_WAIT_TIMEOUT) {
        return true;
      }
    }
    return false;
  }

  // ---- helpers ----

  private static Partition catchAll(List<Partition> partitions) {
    return partitions.stream().filter(Partition::catchAll).findFirst().orElse(null);
  }

  private static String table(OutboxTables tables) {
    return Sql.qualified(tables, tables.table());
  }
}
