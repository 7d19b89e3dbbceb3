package dev.outbox.mysql;

import dev.outbox.spi.DropOutcome;
import dev.outbox.spi.OutboxTables;
import dev.outbox.spi.Partition;
import dev.outbox.spi.PartitionSupport;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
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
 *       PostgreSQL advisory lock is scoped to one database; see {@link #lockName}.
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
 */
final class MySqlPartitions implements PartitionSupport {
  static final MySqlPartitions INSTANCE = new MySqlPartitions();

  /** ER_LOCK_WAIT_TIMEOUT: a metadata lock or row lock wait ran out, on MySQL and MariaDB. */
  static final int LOCK_WAIT_TIMEOUT = 1205;

  /** Longest lock name MySQL accepts (MariaDB accepts longer ones). */
  static final int MAX_LOCK_NAME_LENGTH = 64;

  /** Partition names the job asks for: letters, digits and underscores, at most 63 characters. */
  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private MySqlPartitions() {}

  // ---- the maintenance lock ----

  private static final String CURRENT_DATABASE = "SELECT DATABASE()";
  private static final String TRY_LOCK = "SELECT GET_LOCK(?, 0)";
  private static final String RELEASE_LOCK = "SELECT RELEASE_LOCK(?)";

  @Override
  public boolean tryLock(Connection c, long key) throws SQLException {
    Integer taken = queryInt(c, TRY_LOCK, lockName(c, key));
    if (taken == null) {
      throw new SQLException("GET_LOCK failed for the maintenance lock " + lockName(c, key));
    }
    return taken == 1;
  }

  /**
   * Releases the lock; fails (so the job discards the connection) if this session did not hold it.
   */
  @Override
  public void unlock(Connection c, long key) throws SQLException {
    String name = lockName(c, key);
    Integer released = queryInt(c, RELEASE_LOCK, name);
    if (released == null || released != 1) {
      throw new SQLException(
          "the maintenance lock "
              + name
              + (released == null ? " did not exist" : " is held by another session"));
    }
  }

  private static String lockName(Connection c, long key) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(CURRENT_DATABASE)) {
      rs.next();
      return lockName(rs.getString(1), key);
    }
  }

  /**
   * {@code outbox:<database>:<key in hex>}, {@code database} being the connection's default
   * database (empty if none); when that is longer than the 64 characters MySQL allows, the database
   * name is replaced by a 64-bit hash of it.
   */
  static String lockName(String database, long key) {
    String scope = database == null ? "" : database;
    String name = "outbox:" + scope + ":" + hex(key);
    if (name.length() <= MAX_LOCK_NAME_LENGTH) {
      return name;
    }
    return "outbox:#" + hex(fnv1a(scope)) + ":" + hex(key);
  }

  private static long fnv1a(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  private static String hex(long value) {
    return String.format(Locale.ROOT, "%016x", value);
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

  /**
   * A partition name in backticks; names from the catalog may hold anything, so they are doubled.
   */
  private static String quote(String name) {
    return '`' + name.replace("`", "``") + '`';
  }

  private static Integer queryInt(Connection c, String sql, String parameter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, parameter);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        int value = rs.getInt(1);
        return rs.wasNull() ? null : value;
      }
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
