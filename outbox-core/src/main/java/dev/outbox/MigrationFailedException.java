package dev.outbox;

/** Installing or upgrading the outbox tables with Flyway failed. */
public final class MigrationFailedException extends OutboxException {
  /** Creates the exception. */
  public MigrationFailedException(String message, Throwable cause) {
    super(message, cause, false);
  }
}
