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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Partition maintenance on PostgreSQL (12+): the maintenance lock here, and each step's sequence of
 * locks and checks, with the catalog reads in {@link PostgresPartitionCatalog} and the DDL in
 * {@link PostgresPartitionDdl}. The maintenance lock is {@code pg_try_advisory_xact_lock} inside a
 * transaction kept open on the lock connection, so it ends with that transaction or session and can
 * never stay behind on a pooled connection. Each DDL step is one transaction that sets {@code
 * lock_timeout} locally and locks the parent table before it looks at anything, so what it checks
 * cannot change before it commits.
 */
final class PostgresPartitions implements PartitionSupport {
  static final PostgresPartitions INSTANCE = new PostgresPartitions();

  /** SQLSTATE lock_not_available: {@code lock_timeout} ran out. */
  static final String LOCK_NOT_AVAILABLE = "55P03";

  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(?)";

  private PostgresPartitions() {}

  // ---- the maintenance lock ----

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

  // ---- reading ----

  @Override
  public List<Partition> partitions(Connection c, OutboxTables tables) throws SQLException {
    PostgresPartitionCatalog.describe(c, tables);
    return PostgresPartitionCatalog.list(c, tables);
  }

  @Override
  public SortedSet<Instant> catchAllIntervals(Connection c, OutboxTables tables, Duration interval)
      throws SQLException {
    Partition catchAll = PostgresPartitionCatalog.catchAll(partitions(c, tables));
    return catchAll == null
        ? new TreeSet<>()
        : PostgresPartitionCatalog.intervalsIn(c, catchAll, interval);
  }

  // ---- creating a partition ----

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
          String schema = PostgresPartitionDdl.lockParent(tx, tables, lockTimeout);
          String partition = quote(schema) + "." + quote(name);
          Partition catchAll =
              PostgresPartitionCatalog.catchAll(PostgresPartitionCatalog.list(tx, tables));
          if (catchAll == null || !PostgresPartitionCatalog.hasRowsIn(tx, catchAll, from, to)) {
            PostgresPartitionDdl.createTable(tx, tables, partition, from, to);
            return 0L;
          }
          PostgresPartitionDdl.lockPartition(tx, catchAll);
          PostgresPartitionDdl.detachCatchAll(tx, tables, catchAll);
          PostgresPartitionDdl.createTable(tx, tables, partition, from, to);
          long moved = PostgresPartitionDdl.moveRows(tx, tables, catchAll, from, to);
          PostgresPartitionDdl.attachCatchAll(tx, tables, catchAll);
          return moved;
        });
  }

  // ---- dropping a partition ----

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
          PostgresPartitionDdl.lockParent(tx, tables, lockTimeout);
          if (!PostgresPartitionCatalog.isPartitionOf(tx, partition, tables)) {
            return DropOutcome.notAPartition();
          }
          PostgresPartitionDdl.lockPartition(tx, partition);
          long unfinished = PostgresPartitionCatalog.countUnfinished(tx, partition);
          if (unfinished > 0) {
            return DropOutcome.keptFor(unfinished);
          }
          PostgresPartitionDdl.drop(tx, partition);
          return DropOutcome.droppedIt();
        });
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
}
