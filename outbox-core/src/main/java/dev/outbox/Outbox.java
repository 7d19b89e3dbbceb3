package dev.outbox;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Enlists messages in the caller's transaction, so that they are committed, or rolled back,
 * together with the caller's business writes. A committed message is later delivered at least once
 * by an {@link OutboxRelay}; a rolled-back one never is.
 *
 * <p>{@code T} is the caller's transaction handle: {@link java.sql.Connection} for {@link
 * JdbcOutbox}; an adapter for another handle (a jOOQ context, a Spring-managed transaction) only
 * has to turn its {@code T} into the current connection. Implementations are thread-safe.
 *
 * @param <T> the caller's transaction handle
 */
public interface Outbox<T> {

  /**
   * Writes {@code message} within {@code tx}. Never commits, rolls back or closes the transaction.
   *
   * @return the message id assigned to the message, which senders put in the broker message
   * @throws IllegalArgumentException if the message breaks a limit of this outbox; nothing is
   *     written
   * @throws IllegalStateException if {@code tx} is not in a transaction (auto-commit mode); nothing
   *     is written
   * @throws EnlistFailedException if the database write failed; roll the transaction back
   */
  UUID add(T tx, OutboxMessage message);

  /**
   * Writes all {@code messages} within {@code tx} in one batched statement, in iteration order
   * (which is their delivery order per key). Nothing is written if any message is invalid.
   *
   * @return the message ids, in the order of {@code messages}
   * @throws IllegalArgumentException if any message breaks a limit; nothing is written
   * @throws IllegalStateException if {@code tx} is in auto-commit mode; nothing is written
   * @throws EnlistFailedException if the database write failed; roll the transaction back
   */
  List<UUID> addAll(T tx, Collection<OutboxMessage> messages);

  /**
   * Writes a message to {@code topic} with key {@code key} (null: unordered) whose payload is
   * {@code payload} encoded by this outbox's {@linkplain #payloadCodec() codec}, with the codec's
   * media type in the {@value PayloadCodec#CONTENT_TYPE_HEADER} header. Never commits, rolls back
   * or closes the transaction.
   *
   * <pre>{@code
   * outbox.add(connection, "orders", order.id(), new OrderCreated(order.id(), order.total()));
   * }</pre>
   *
   * <p>For headers, build the message: {@code OutboxMessage.builder(topic).key(key).payload(value,
   * codec).header(...).build()}.
   *
   * @return the message id assigned to the message
   * @throws IllegalStateException if this outbox has no payload codec; nothing is written
   * @throws NullPointerException if {@code payload} is null
   * @throws IllegalArgumentException if the codec cannot encode {@code payload} (the message names
   *     the topic and the payload's class), or the message breaks a limit; nothing is written
   * @throws EnlistFailedException if the database write failed; roll the transaction back
   */
  default UUID add(T tx, String topic, String key, Object payload) {
    PayloadCodec<Object> codec =
        payloadCodec()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "this outbox has no payload codec, so it cannot encode the "
                            + (payload == null ? "null" : payload.getClass().getName())
                            + " enlisted for topic '"
                            + topic
                            + "'; configure JdbcOutbox.Builder.payloadCodec(...) (for JSON:"
                            + " JacksonPayloadCodec from outbox-jackson), or enlist an"
                            + " OutboxMessage with the payload's bytes"));
    return add(tx, OutboxMessage.builder(topic).key(key).payload(payload, codec).build());
  }

  /**
   * The codec that {@link #add(Object, String, String, Object)} encodes payloads with, if this
   * outbox has one. Default: none.
   */
  default Optional<PayloadCodec<Object>> payloadCodec() {
    return Optional.empty();
  }
}
