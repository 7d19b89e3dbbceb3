package dev.outbox.spi;

import java.sql.Connection;
import java.sql.SQLException;

/** Small JDBC helpers for dialects. */
public final class Jdbc {
  private Jdbc() {}

  /** Work that runs on a connection and may fail with an {@link SQLException}. */
  @FunctionalInterface
  public interface SqlWork<R> {
    /** Runs the work. */
    R run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in a transaction on {@code c}, which must be in auto-commit mode: commits if
   * it returns, rolls back if it throws, and restores auto-commit either way.
   */
  public static <R> R inTransaction(Connection c, SqlWork<R> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      R result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException | Error e) {
      rollbackQuietly(c, e);
      throw e;
    } finally {
      restoreAutoCommit(c);
    }
  }

  /** Rolls {@code c} back; a failure to do so is added to {@code failure} as suppressed. */
  public static void rollbackQuietly(Connection c, Throwable failure) {
    try {
      c.rollback();
    } catch (SQLException rollbackFailure) {
      failure.addSuppressed(rollbackFailure);
    }
  }

  private static void restoreAutoCommit(Connection c) {
    restoreAutoCommit(c, true);
  }

  /**
   * Sets {@code c}'s auto-commit mode back to {@code autoCommit}, ignoring a failure: the
   * connection is then broken, and its pool discards it when it is closed.
   */
  public static void restoreAutoCommit(Connection c, boolean autoCommit) {
    try {
      c.setAutoCommit(autoCommit);
    } catch (SQLException ignored) {
      // The connection is broken; the pool discards it when it is closed.
    }
  }
}
