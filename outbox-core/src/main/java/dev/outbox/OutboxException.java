package dev.outbox;

/**
 * Base of the unchecked exceptions the outbox throws when the database or a collaborator fails.
 * Caller mistakes (bad arguments, a connection in auto-commit mode) are reported with {@link
 * IllegalArgumentException} and {@link IllegalStateException} instead.
 */
public class OutboxException extends RuntimeException {
  private final boolean transientFailure;

  /**
   * Creates an exception saying what failed, with its cause.
   *
   * @param message what failed
   * @param cause the underlying failure
   * @param transientFailure whether retrying the same operation later may succeed (a lost
   *     connection, a deadlock, a lock timeout), as classified from the SQLState
   */
  public OutboxException(String message, Throwable cause, boolean transientFailure) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  /**
   * Whether the failure is transient: retrying later may succeed. A permanent failure (a missing
   * table, a constraint violation, a syntax error) needs an operator.
   */
  public boolean isTransient() {
    return transientFailure;
  }
}
