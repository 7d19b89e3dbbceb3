package dev.outbox;

/**
 * A relay cycle could not claim or acknowledge messages, or its sender failed. The relay reports it
 * to its {@link RelayErrorListener} and keeps running; messages it had claimed become claimable
 * again when their lease expires.
 */
public final class RelayException extends OutboxException {
  /** Creates the exception. */
  public RelayException(String message, Throwable cause, boolean transientFailure) {
    super(message, cause, transientFailure);
  }
}
