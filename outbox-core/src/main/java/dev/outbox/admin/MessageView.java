package dev.outbox.admin;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A message of the message table (pending or sent), as the admin API shows it.
 *
 * @param id the row id (the order of the message among its key's messages)
 * @param messageId the stable message id
 * @param topic the topic
 * @param key the ordering key, or null
 * @param state where it stands ({@link MessageState#DEAD} never appears here)
 * @param attempts delivery attempts started so far
 * @param createdAt when it was enlisted (or replayed)
 * @param nextAttemptAt when it may be claimed (for a leased message: before the lease)
 * @param lastError the last failure, or null
 * @param leaseToken the lease of the batch holding it, or null
 * @param leaseUntil when that lease ends, or null
 * @param leaseOwner the name of the relay that holds the lease, when it is known
 * @param sentAt when it was delivered, or null
 * @param payloadSize the payload's size in bytes
 * @param headers its headers
 * @param payloadPreview the first {@link dev.outbox.OutboxAdmin#PAYLOAD_PREVIEW_BYTES} bytes of the
 *     payload (all of it when it is no longer), as the reads of one message ({@link
 *     dev.outbox.OutboxAdmin#message(long)}, {@link dev.outbox.OutboxAdmin#messagesById}) read it;
 *     null in listings and key diagnoses, which read no payload. Equality compares the array by
 *     reference, as records do.
 */
public record MessageView(
    long id,
    UUID messageId,
    String topic,
    String key,
    MessageState state,
    int attempts,
    Instant createdAt,
    Instant nextAttemptAt,
    String lastError,
    UUID leaseToken,
    Instant leaseUntil,
    String leaseOwner,
    Instant sentAt,
    long payloadSize,
    Map<String, String> headers,
    byte[] payloadPreview) {

  /** A message without its payload, as a listing reads it. */
  public MessageView(
      long id,
      UUID messageId,
      String topic,
      String key,
      MessageState state,
      int attempts,
      Instant createdAt,
      Instant nextAttemptAt,
      String lastError,
      UUID leaseToken,
      Instant leaseUntil,
      String leaseOwner,
      Instant sentAt,
      long payloadSize,
      Map<String, String> headers) {
    this(
        id,
        messageId,
        topic,
        key,
        state,
        attempts,
        createdAt,
        nextAttemptAt,
        lastError,
        leaseToken,
        leaseUntil,
        leaseOwner,
        sentAt,
        payloadSize,
        headers,
        null);
  }

  /** A copy naming the relay that holds the lease. */
  public MessageView withLeaseOwner(String owner) {
    return new MessageView(
        id,
        messageId,
        topic,
        key,
        state,
        attempts,
        createdAt,
        nextAttemptAt,
        lastError,
        leaseToken,
        leaseUntil,
        owner,
        sentAt,
        payloadSize,
        headers,
        payloadPreview);
  }

  /** The state of a pending message at {@code now}. */
  public static MessageState pendingState(Instant now, Instant nextAttemptAt, Instant leaseUntil) {
    if (leaseUntil != null && leaseUntil.isAfter(now)) {
      return MessageState.LEASED;
    }
    return nextAttemptAt.isAfter(now) ? MessageState.WAITING : MessageState.DUE;
  }
}
