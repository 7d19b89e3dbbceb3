package dev.outbox;

import dev.outbox.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A message to enlist: where it goes ({@code topic}), its ordering key, its payload and its
 * headers. Immutable and thread-safe.
 *
 * <p>Validated when built: the topic must not be blank and, like the key, be at most {@value
 * #MAX_TOPIC_LENGTH} characters; header names and values must not be null. Topic, key and headers
 * must be well-formed UTF-16 (no unpaired surrogate) without NUL (U+0000), which neither database
 * stores faithfully. The payload size limit is enforced by the {@link JdbcOutbox} that writes the
 * message (see {@link JdbcOutbox.Builder#maxPayloadBytes(int)}).
 *
 * <p>A message may be scheduled ({@link Builder#deliverAt(Instant)}, {@link
 * Builder#delay(Duration)}) and may carry an idempotency key ({@link
 * Builder#idempotencyKey(String)}); see {@link JdbcOutbox} for what the outbox does with them.
 */
public final class OutboxMessage {

  /** Longest topic accepted, in characters. */
  public static final int MAX_TOPIC_LENGTH = 255;

  /** Longest key accepted, in characters. */
  public static final int MAX_KEY_LENGTH = 255;

  /** Longest idempotency key accepted, in characters. */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

  /** Longest delay accepted by {@link Builder#delay(Duration)}: 3,660 days (about ten years). */
  public static final Duration MAX_DELAY = Duration.ofDays(3660);

  private final String topic;
  private final String key;
  private final byte[] payload;
  private final Map<String, String> headers;
  private final Instant deliverAt;
  private final Duration delay;
  private final String idempotencyKey;

  private OutboxMessage(Builder b) {
    this.topic = b.topic;
    this.key = b.key;
    this.payload = b.payload;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.deliverAt = b.deliverAt;
    this.delay = b.delay;
    this.idempotencyKey = b.idempotencyKey;
  }

  /**
   * Starts a message for {@code topic}.
   *
   * @throws IllegalArgumentException if the topic is null, blank or longer than {@value
   *     #MAX_TOPIC_LENGTH} characters
   */
  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  /** A message with a key and a payload and no headers; {@code key} may be null (unordered). */
  public static OutboxMessage of(String topic, String key, byte[] payload) {
    return builder(topic).key(key).payload(payload).build();
  }

  /** A message with a key and a UTF-8 text payload; {@code key} may be null (unordered). */
  public static OutboxMessage of(String topic, String key, String payload) {
    return builder(topic).key(key).payload(payload).build();
  }

  /** Where the message goes; a sender maps it to a Kafka topic, an exchange, etc. */
  public String topic() {
    return topic;
  }

  /** The ordering key, or null when the message is unordered. */
  public String key() {
    return key;
  }

  /** A copy of the payload bytes (never null; empty when no payload was set). */
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload size in bytes. */
  public int payloadSize() {
    return payload.length;
  }

  byte[] payloadUnsafe() {
    return payload;
  }

  /** The headers, in the order they were added; unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The instant set by {@link Builder#deliverAt(Instant)}, or null. */
  public Instant deliverAt() {
    return deliverAt;
  }

  /** The delay set by {@link Builder#delay(Duration)}, or null. */
  public Duration delay() {
    return delay;
  }

  /** The idempotency key set by {@link Builder#idempotencyKey(String)}, or null. */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /**
   * When the message becomes due, for a message enlisted at {@code now}: {@code now} unless it was
   * scheduled for later.
   */
  Instant dueAt(Instant now) {
    if (deliverAt != null) {
      return deliverAt.isAfter(now) ? deliverAt : now;
    }
    return delay != null ? now.plus(delay) : now;
  }

  @Override
  public String toString() {
    return "OutboxMessage{topic="
        + topic
        + ", key="
        + key
        + ", payloadBytes="
        + payload.length
        + ", headers="
        + headers.keySet()
        + (deliverAt != null ? ", deliverAt=" + deliverAt : "")
        + (delay != null ? ", delay=" + delay : "")
        + (idempotencyKey != null ? ", idempotencyKey=" + idempotencyKey : "")
        + '}';
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutboxMessage m
        && topic.equals(m.topic)
        && Objects.equals(key, m.key)
        && Arrays.equals(payload, m.payload)
        && headers.equals(m.headers)
        && Objects.equals(deliverAt, m.deliverAt)
        && Objects.equals(delay, m.delay)
        && Objects.equals(idempotencyKey, m.idempotencyKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        topic, key, Arrays.hashCode(payload), headers, deliverAt, delay, idempotencyKey);
  }

  /** Builds an {@link OutboxMessage}; not thread-safe. */
  public static final class Builder {
    private final String topic;
    private String key;
    private byte[] payload = new byte[0];
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Instant deliverAt;
    private Duration delay;
    private String idempotencyKey;

    private Builder(String topic) {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("topic must not be null or blank");
      }
      this.topic = Checks.text("topic", Checks.length("topic", topic, MAX_TOPIC_LENGTH));
    }

    /**
     * The ordering key: committed messages with the same key are delivered in id order under {@link
     * Ordering#PER_KEY}. Default: null (unordered).
     *
     * @throws IllegalArgumentException if longer than {@value #MAX_KEY_LENGTH} characters, not
     *     well-formed UTF-16, or holding NUL
     */
    public Builder key(String key) {
      this.key = key == null ? null : Checks.text("key", Checks.length("key", key, MAX_KEY_LENGTH));
      return this;
    }

    /** The payload bytes (copied). Default: empty. */
    public Builder payload(byte[] payload) {
      this.payload = Objects.requireNonNull(payload, "payload must not be null").clone();
      return this;
    }

    /** The payload as UTF-8 text. Default: empty. */
    public Builder payload(String payload) {
      Objects.requireNonNull(payload, "payload must not be null");
      this.payload = payload.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /**
     * The payload as {@code codec} encodes {@code value}; and the {@value
     * PayloadCodec#CONTENT_TYPE_HEADER} header with the codec's media type, unless that header is
     * already set (in any letter case). A header set later replaces it as usual.
     *
     * @throws NullPointerException if {@code value} or {@code codec} is null
     * @throws IllegalArgumentException if the codec cannot encode the value (the message names the
     *     topic and the value's class) or names no media type; the builder is unchanged
     */
    public <V> Builder payload(V value, PayloadCodec<? super V> codec) {
      byte[] encoded = Payloads.encode(topic, value, codec);
      if (!Payloads.hasContentType(headers)) {
        header(PayloadCodec.CONTENT_TYPE_HEADER, codec.contentType());
      }
      this.payload = encoded;
      return this;
    }

    /**
     * Adds a header; a later value for the same name replaces the earlier one. Default: none.
     *
     * @throws IllegalArgumentException if the name or the value is null, not well-formed UTF-16 or
     *     holding NUL, or the name is blank
     */
    public Builder header(String name, String value) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("header name must not be null or blank");
      }
      if (value == null) {
        throw new IllegalArgumentException("header value must not be null (header '" + name + "')");
      }
      Checks.text("header name", name);
      Checks.text("value of header '" + name + "'", value);
      headers.put(name, value);
      return this;
    }

    /** Adds every entry of {@code headers}, with the checks of {@link #header(String, String)}. */
    public Builder headers(Map<String, String> headers) {
      Objects.requireNonNull(headers, "headers must not be null");
      headers.forEach(this::header);
      return this;
    }

    /**
     * Delivers the message no earlier than {@code instant}, compared with the relay's clock. An
     * instant in the past means "now". Replaces an earlier {@link #delay(Duration)}. Default: due
     * at once.
     *
     * <p>Under {@link Ordering#PER_KEY} a scheduled message holds back the later messages of its
     * key until it is sent, as any pending message does.
     *
     * @throws IllegalArgumentException if {@code instant} is null
     */
    public Builder deliverAt(Instant instant) {
      if (instant == null) {
        throw new IllegalArgumentException("deliverAt must not be null");
      }
      this.deliverAt = instant;
      this.delay = null;
      return this;
    }

    /**
     * Delivers the message no earlier than {@code delay} after it is enlisted, by the outbox's
     * clock ({@link JdbcOutbox.Builder#clock}). Replaces an earlier {@link #deliverAt(Instant)}.
     * Default: due at once.
     *
     * <p>Under {@link Ordering#PER_KEY} a delayed message holds back the later messages of its key
     * until it is sent, as any pending message does.
     *
     * @throws IllegalArgumentException if {@code delay} is null, negative or longer than {@link
     *     #MAX_DELAY}
     */
    public Builder delay(Duration delay) {
      if (delay == null || delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
        throw new IllegalArgumentException(
            "delay must be between 0 and " + MAX_DELAY.toDays() + " days, was " + delay);
      }
      this.delay = delay;
      this.deliverAt = null;
      return this;
    }

    /**
     * Makes the enlist idempotent: a second message with the same idempotency key, enlisted into
     * the same outbox table within the outbox's idempotency window, is not written again (see
     * {@link JdbcOutbox.Builder#idempotencyWindow} and {@link JdbcOutbox.Builder#onDuplicate}).
     * Typically the id of the request or business event that caused the message. Default: none.
     *
     * @throws IllegalArgumentException if blank, longer than {@value #MAX_IDEMPOTENCY_KEY_LENGTH}
     *     characters, not well-formed UTF-16, or holding NUL
     */
    public Builder idempotencyKey(String idempotencyKey) {
      if (idempotencyKey == null || idempotencyKey.isBlank()) {
        throw new IllegalArgumentException("idempotencyKey must not be null or blank");
      }
      this.idempotencyKey =
          Checks.text(
              "idempotencyKey",
              Checks.length("idempotencyKey", idempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH));
      return this;
    }

    /** Returns the immutable message. */
    public OutboxMessage build() {
      return new OutboxMessage(this);
    }
  }
}
