package dev.outbox;

import java.util.Objects;
import java.util.function.Function;

/**
 * Turns typed values into payload bytes, and names their media type, so that application code can
 * enlist a value instead of hand-written bytes:
 *
 * <pre>{@code
 * JdbcOutbox outbox = JdbcOutbox.builder(new PostgresDialect())
 *     .payloadCodec(new JacksonPayloadCodec())              // outbox-jackson
 *     .build();
 * outbox.add(connection, "orders", orderId, new OrderCreated(orderId, total, Instant.now()));
 *
 * // or per message, with headers:
 * outbox.add(connection, OutboxMessage.builder("orders")
 *     .key(orderId)
 *     .payload(orderCreated, codec)
 *     .header("type", "order.created")
 *     .build());
 * }</pre>
 *
 * <p>The media type goes into the {@value #CONTENT_TYPE_HEADER} header of the message, unless the
 * caller set that header itself; senders pass it on, and {@code CloudEventsSender} maps it to the
 * event's {@code datacontenttype}. Encoding happens at enlist time, in the caller's thread: what is
 * stored (and later sent) are the bytes. Implementations must be thread-safe.
 *
 * @param <T> the values this codec encodes ({@code Object} for a general-purpose codec such as
 *     JSON)
 */
public interface PayloadCodec<T> {

  /** The header that carries the payload's media type: {@value}. */
  String CONTENT_TYPE_HEADER = "content-type";

  /**
   * Encodes {@code value} to payload bytes.
   *
   * @param value never null
   * @return the bytes to store; never null
   * @throws RuntimeException (preferably {@link IllegalArgumentException}) if the value cannot be
   *     encoded; the outbox reports it as an {@link IllegalArgumentException} naming the topic and
   *     the value's class, and writes nothing
   */
  byte[] encode(T value);

  /**
   * The media type of what {@link #encode} produces, such as {@code application/json}; written to
   * the {@value #CONTENT_TYPE_HEADER} header. Must not be null or blank.
   */
  String contentType();

  /**
   * Decodes a payload written by this codec into a {@code type}: for consumers and tests. Optional:
   * the default throws {@link UnsupportedOperationException}.
   *
   * @throws IllegalArgumentException if the bytes are not a {@code type} in this codec's format
   * @throws UnsupportedOperationException if this codec only encodes
   */
  default <V extends T> V decode(byte[] payload, Class<V> type) {
    throw new UnsupportedOperationException(
        getClass().getName() + " (" + contentType() + ") does not decode payloads");
  }

  /**
   * A codec from a function: {@code PayloadCodec.of("text/plain", v ->
   * v.toString().getBytes(UTF_8))}. It does not decode.
   *
   * @throws IllegalArgumentException if {@code contentType} is null or blank
   */
  static <T> PayloadCodec<T> of(String contentType, Function<? super T, byte[]> encoder) {
    Payloads.requireContentType(contentType, "contentType");
    Objects.requireNonNull(encoder, "encoder");
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(T value) {
        return encoder.apply(value);
      }

      @Override
      public String contentType() {
        return contentType;
      }

      @Override
      public String toString() {
        return "PayloadCodec[" + contentType + "]";
      }
    };
  }
}
