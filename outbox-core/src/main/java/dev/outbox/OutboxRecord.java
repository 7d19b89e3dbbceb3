package dev.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A committed message as a {@link Sender} receives it. Immutable and thread-safe.
 *
 * <p>{@link #messageId()} is assigned once at enlist time and stays the same on every delivery
 * attempt, so it is what a consumer deduplicates on. {@link #id()} is the database row id: it
 * orders messages and is what a {@link Outcome} refers to.
 */
public final class OutboxRecord {
  private final long id;
  private final UUID messageId;
  private final String topic;
  private final String key;
  private final byte[] payload;
  private final Map<String, String> headers;
  private final Instant createdAt;
  private final int attempt;

  /** Creates a record; used by the relay and by tests of a {@link Sender}. */
  public OutboxRecord(
      long id,
      UUID messageId,
      String topic,
      String key,
      byte[] payload,
      Map<String, String> headers,
      Instant createdAt,
      int attempt) {
    this.id = id;
    this.messageId = Objects.requireNonNull(messageId, "messageId");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.key = key;
    this.payload = Objects.requireNonNull(payload, "payload");
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.attempt = attempt;
  }

  /** The database row id; unique within one outbox table, increasing in enlist order. */
  public long id() {
    return id;
  }

  /** The stable message id: the same on every attempt; put it in the broker message. */
  public UUID messageId() {
    return messageId;
  }

  /** The destination the message was enlisted for. */
  public String topic() {
    return topic;
  }

  /** The ordering key, or null. */
  public String key() {
    return key;
  }

  /**
   * The payload. The array is the record's own, shared with no other record; a sender must not
   * modify it.
   */
  public byte[] payload() {
    return payload;
  }

  /** The payload decoded as UTF-8. */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /**
   * The headers given at enlist time, plus {@code traceparent} (and {@code tracestate}) when a span
   * was current then; unmodifiable.
   */
  public Map<String, String> headers() {
    return headers;
  }

  /** When the message was enlisted, by the database clock. */
  public Instant createdAt() {
    return createdAt;
  }

  /** Which delivery attempt this is: 1 for the first. */
  public int attempt() {
    return attempt;
  }

  @Override
  public String toString() {
    return "OutboxRecord{id="
        + id
        + ", messageId="
        + messageId
        + ", topic="
        + topic
        + ", key="
        + key
        + ", attempt="
        + attempt
        + '}';
  }
}
