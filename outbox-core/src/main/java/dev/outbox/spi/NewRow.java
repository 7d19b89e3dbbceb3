package dev.outbox.spi;

import java.time.Instant;
import java.util.UUID;

/**
 * A validated message ready to be inserted by {@link OutboxDialect#insert}.
 *
 * @param messageId the stable id assigned at enlist time
 * @param topic the destination
 * @param key the ordering key, or null
 * @param payload the payload bytes (not copied; do not modify)
 * @param headersJson the headers as a JSON object, see {@link HeaderCodec}
 * @param availableAt the {@code next_attempt_at} to store: when the message becomes claimable
 * @param deliverAt when the message was scheduled for ({@code deliver_at}), or null when it is due
 *     at enlist. A scheduled row is stored with {@code scheduled} set: it stays out of the index
 *     the unordered claim reads until {@link OutboxDialect#releaseScheduled} clears the flag at its
 *     time, so that many scheduled messages do not slow the claim down
 */
public record NewRow(
    UUID messageId,
    String topic,
    String key,
    byte[] payload,
    String headersJson,
    Instant availableAt,
    Instant deliverAt) {

  /** A row due at {@code availableAt}, not scheduled. */
  public NewRow(
      UUID messageId,
      String topic,
      String key,
      byte[] payload,
      String headersJson,
      Instant availableAt) {
    this(messageId, topic, key, payload, headersJson, availableAt, null);
  }

  /** Whether the row is stored as scheduled: it has a {@link #deliverAt()}. */
  public boolean scheduled() {
    return deliverAt != null;
  }
}
