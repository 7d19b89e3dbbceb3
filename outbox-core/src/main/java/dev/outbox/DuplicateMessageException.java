package dev.outbox;

import java.util.UUID;

/**
 * An enlist refused because a message with the same idempotency key was enlisted into the same
 * outbox table within the idempotency window, and the outbox is configured to refuse duplicates
 * ({@link JdbcOutbox.Builder#onDuplicate(OnDuplicate)} {@link OnDuplicate#REFUSE}). The refused
 * message was not written; roll the transaction back so that the business writes made for the
 * duplicate request are undone with it. Not transient: trying again gives the same answer.
 */
public final class DuplicateMessageException extends OutboxException {
  private final String idempotencyKey;
  private final UUID firstMessageId;

  /** Creates the exception for {@code idempotencyKey}, first enlisted as {@code firstMessageId}. */
  public DuplicateMessageException(String idempotencyKey, UUID firstMessageId) {
    super(
        "a message with idempotency key '"
            + idempotencyKey
            + "' was already enlisted as message "
            + firstMessageId
            + "; this one was not written: roll the transaction back",
        null,
        false);
    this.idempotencyKey = idempotencyKey;
    this.firstMessageId = firstMessageId;
  }

  /** The idempotency key both messages carry. */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** The id of the message enlisted first with this key. */
  public UUID firstMessageId() {
    return firstMessageId;
  }
}
