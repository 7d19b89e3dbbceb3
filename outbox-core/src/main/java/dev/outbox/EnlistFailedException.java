package dev.outbox;

/**
 * Writing messages into the outbox table failed. The caller's transaction is left as it was (open,
 * not rolled back by the outbox); the caller should roll it back.
 */
public final class EnlistFailedException extends OutboxException {
  /** Creates the exception. */
  public EnlistFailedException(String message, Throwable cause, boolean transientFailure) {
    super(message, cause, transientFailure);
  }
}
