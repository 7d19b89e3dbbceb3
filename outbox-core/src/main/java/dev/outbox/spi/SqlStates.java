package dev.outbox.spi;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** Classifies SQL errors by SQLState, the way connection pools do. */
public final class SqlStates {
  private SqlStates() {}

  /**
   * Whether retrying later may succeed: connection failures (class 08), transaction rollbacks such
   * as deadlocks and serialization failures (class 40), insufficient resources (53), operator
   * intervention such as an admin shutdown (57), lock timeouts (PostgreSQL 55P03), and the JDBC
   * driver's own transient and recoverable exceptions. Everything else (a missing table, a
   * constraint violation, bad SQL) is permanent.
   */
  public static boolean isTransient(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (x instanceof SQLTransientException || x instanceof SQLRecoverableException) {
        return true;
      }
      String state = x.getSQLState();
      if (state != null && isTransientState(state)) {
        return true;
      }
      if (x.getCause() instanceof SQLException cause && cause != x && isTransient(cause)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTransientState(String state) {
    return state.startsWith("08")
        || state.startsWith("40")
        || state.startsWith("53")
        || state.startsWith("57")
        || state.equals("55P03")
        || state.equals("HYT00")
        || state.equals("HYT01");
  }
}
