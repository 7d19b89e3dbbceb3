package dev.outbox.admin;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A row of the dead-letter table.
 *
 * @param id the dead letter's own id (what replay and purge by id take)
 * @param originalId the id the message had in the message table
 * @param messageId the stable message id
 * @param topic the topic
 * @param key the ordering key, or null
 * @param createdAt when the message was enlisted
 * @param attempts delivery attempts made before it died
 * @param reason why it died
 * @param deadAt when it died
 * @param replayCount how many times it was replayed before this death
 * @param payloadSize the payload's size in bytes
 * @param headers its headers
 * @param payloadPreview the first {@link dev.outbox.OutboxAdmin#PAYLOAD_PREVIEW_BYTES} bytes of the
 *     payload (all of it when it is no longer), as {@link dev.outbox.OutboxAdmin#deadLetter(long)}
 *     reads it; null in listings, which read no payload. Shorter than {@code payloadSize} when the
 *     payload was cut. The array is the caller's; equality compares it by reference, as records do.
 */
public record DeadLetterView(
    long id,
    long originalId,
    UUID messageId,
    String topic,
    String key,
    Instant createdAt,
    int attempts,
    String reason,
    Instant deadAt,
    int replayCount,
    long payloadSize,
    Map<String, String> headers,
    byte[] payloadPreview) {

  /** A dead letter without its payload, as a listing reads it. */
  public DeadLetterView(
      long id,
      long originalId,
      UUID messageId,
      String topic,
      String key,
      Instant createdAt,
      int attempts,
      String reason,
      Instant deadAt,
      int replayCount,
      long payloadSize,
      Map<String, String> headers) {
    this(
        id,
        originalId,
        messageId,
        topic,
        key,
        createdAt,
        attempts,
        reason,
        deadAt,
        replayCount,
        payloadSize,
        headers,
        null);
  }

  /** Whether the payload is longer than {@link #payloadPreview()}; false when none was read. */
  public boolean payloadCut() {
    return payloadPreview != null && payloadPreview.length < payloadSize;
  }
}
