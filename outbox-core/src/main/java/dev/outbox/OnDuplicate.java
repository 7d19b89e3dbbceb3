package dev.outbox;

/**
 * What an outbox does with a message whose idempotency key it has seen within its window (see
 * {@link OutboxMessage.Builder#idempotencyKey} and {@link JdbcOutbox.Builder#onDuplicate}).
 */
public enum OnDuplicate {
  /**
   * Writes nothing and returns the first message's id, as if the enlist had happened: the caller's
   * other writes go ahead. For callers whose business write is itself idempotent.
   */
  RETURN_FIRST,

  /**
   * Writes nothing and throws {@link DuplicateMessageException}, which names the first message's
   * id: the caller rolls back, undoing the business writes of the duplicate request too.
   */
  REFUSE
}
