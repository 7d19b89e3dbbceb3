package dev.outbox.mysql;

import static dev.outbox.mysql.Sql.execute;

import dev.outbox.spi.Jdbc.SqlWork;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Runs one partition maintenance step with the message table write-locked ({@code LOCK TABLES …
 * WRITE}), waiting at most the lock timeout for the lock.
 *
 * <p>Why a table lock: MySQL DDL commits implicitly, so a check in a transaction cannot be kept
 * true until an {@code ALTER TABLE} that follows it. {@code LOCK TABLES … WRITE} takes the table's
 * metadata lock in a mode no other session can share: it waits until every open transaction that
 * touched the table has ended, and then no other session reads or writes the table until {@code
 * UNLOCK TABLES}, so what the step counts stays true through its {@code ALTER TABLE}. The wait is
 * bounded by the session's {@code lock_wait_timeout}, set for the step and restored after it;
 * sessions that queue behind the pending lock request wait at most that long too. The server counts
 * that timeout in whole seconds, so the lock timeout is rounded up to a whole second.
 */
final class LockedTable {
  private LockedTable() {}

  private static final String READ_LOCK_WAIT_TIMEOUT = "SELECT @@SESSION.lock_wait_timeout";

  /** Values are numbers the step computed; a SET takes no parameters on every server. */
  private static final String SET_LOCK_WAIT_TIMEOUT = "SET SESSION lock_wait_timeout = %d";

  private static final String LOCK_FOR_WRITE = "LOCK TABLES %s WRITE";
  private static final String UNLOCK = "UNLOCK TABLES";

  /**
   * Runs {@code work} on {@code c} (in auto-commit mode) with {@code table} write-locked, then
   * unlocks it and restores the session's {@code lock_wait_timeout}, also when {@code work} fails.
   * If either cannot be done, the connection is aborted, so that neither a table lock nor a changed
   * timeout can stay on a pooled connection.
   *
   * @param table the table, already quoted
   * @throws SQLException error 1205 if the lock was not granted within {@code lockTimeout}
   */
  static <R> R write(Connection c, String table, Duration lockTimeout, SqlWork<R> work)
      throws SQLException {
    long previous = lockWaitTimeout(c);
    execute(c, String.format(SET_LOCK_WAIT_TIMEOUT, seconds(lockTimeout)));
    R result;
    try {
      execute(c, String.format(LOCK_FOR_WRITE, table));
      result = work.run(c);
    } catch (SQLException | RuntimeException | Error e) {
      release(c, previous, e);
      throw e;
    }
    release(c, previous, null);
    return result;
  }

  /** The lock timeout in whole seconds, rounded up: at least 1. */
  static long seconds(Duration lockTimeout) {
    long millis = Math.max(1, lockTimeout.toMillis());
    return (millis + 999) / 1000;
  }

  private static long lockWaitTimeout(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(READ_LOCK_WAIT_TIMEOUT)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Unlocks the session's tables (harmless when it holds none) and restores its lock wait timeout.
   * If that fails, the connection is aborted, and the failure is added to {@code failure} if there
   * is one, else thrown.
   */
  private static void release(Connection c, long previousTimeout, Throwable failure)
      throws SQLException {
    try {
      execute(c, UNLOCK);
      execute(c, String.format(SET_LOCK_WAIT_TIMEOUT, previousTimeout));
    } catch (SQLException e) {
      abortQuietly(c, e);
      if (failure == null) {
        throw e;
      }
      failure.addSuppressed(e);
    }
  }

  private static void abortQuietly(Connection c, SQLException cause) {
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
