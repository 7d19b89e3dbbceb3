package dev.outbox.spi;

import dev.outbox.OutboxTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;

/**
 * The database operations of partition maintenance, for a message table range-partitioned on {@code
 * created_at} with a catch-all partition. The maintenance job ({@code
 * dev.outbox.PartitionMaintenance}) decides what to create and drop; an implementation only carries
 * it out, safely on its own: it never drops anything that is not a partition of the outbox table,
 * never drops a partition that holds an unfinished message, and never loses or duplicates a row it
 * moves.
 *
 * <p>All bounds are {@link Instant}s; the job only asks for ranges aligned to whole UTC hours or
 * days. Every method receives a connection in auto-commit mode and leaves it so. Methods that take
 * table locks bound their waits with the {@code lockTimeout} they are given, and fail with an
 * exception that {@link #isLockTimeout} recognises when it runs out. Implementations are stateless
 * and thread-safe.
 */
public interface PartitionSupport {

  /**
   * Tries, without waiting, to take the maintenance lock {@code key} on {@code lockConnection}, a
   * connection the job holds for the whole run and uses for nothing else. The lock must be released
   * by {@link #unlock} on the same connection, and must also be released by the database when that
   * connection's transaction or session ends, so it can never outlive the run on a pooled
   * connection (PostgreSQL: {@code pg_try_advisory_xact_lock} in an open transaction; MySQL: {@code
   * GET_LOCK}).
   *
   * @return whether the lock was taken; false when another instance holds it
   */
  boolean tryLock(Connection lockConnection, long key) throws SQLException;

  /**
   * Releases the lock taken by {@link #tryLock} on the same connection and returns the connection
   * to auto-commit mode. If this throws, the job discards the connection instead of returning it to
   * its pool.
   */
  void unlock(Connection lockConnection, long key) throws SQLException;

  /**
   * The partitions of the message table, read from the database catalog (never found by name), in
   * ascending order of {@link Partition#from()}, the catch-all partition included.
   *
   * @throws SQLException if the table does not exist or is not partitioned; the message says which
   */
  List<Partition> partitions(Connection c, OutboxTables tables) throws SQLException;

  /**
   * The start of every interval of length {@code interval} (counted from the Unix epoch, so whole
   * UTC hours or days) for which the catch-all partition holds at least one row, ascending.
   */
  SortedSet<Instant> catchAllIntervals(Connection c, OutboxTables tables, Duration interval)
      throws SQLException;

  /**
   * Creates partition {@code name} for {@code [from, to)} in one transaction, moving into it every
   * row of the catch-all partition that falls into that range; nothing is lost or duplicated, also
   * while producers insert concurrently. Called in ascending order of {@code from}, and only for
   * ranges that overlap no existing partition.
   *
   * @param name a plain identifier of at most 63 characters, derived from the table name
   * @return how many rows were moved out of the catch-all partition
   */
  long createPartition(
      Connection c,
      OutboxTables tables,
      String name,
      Instant from,
      Instant to,
      Duration lockTimeout)
      throws SQLException;

  /**
   * Drops {@code partition} if, checked under a lock that keeps writers out until the drop commits,
   * it is still a partition of the message table and holds no unfinished message ({@code status =
   * 0}: pending, leased or waiting for a retry). Dead letters live in their own table and are never
   * touched.
   */
  DropOutcome dropIfFinished(
      Connection c, OutboxTables tables, Partition partition, Duration lockTimeout)
      throws SQLException;

  /** Whether {@code e} means a lock could not be taken within the lock timeout. */
  boolean isLockTimeout(SQLException e);
}
