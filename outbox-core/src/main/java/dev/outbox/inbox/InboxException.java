package dev.outbox.inbox;

import dev.outbox.OutboxException;

/**
 * The inbox could not record or check a message id, or could not commit the transaction that did:
 * the database failed. {@link #isTransient()} says whether handling the message again later may
 * succeed (a lost connection, a deadlock, a serialization failure); the message was not marked as
 * processed either way, so letting the broker redeliver it is safe.
 */
public final class InboxException extends OutboxException {
  /** Creates the exception. */
  public InboxException(String message, Throwable cause, boolean transientFailure) {
    super(message, cause, transientFailure);
  }
}
