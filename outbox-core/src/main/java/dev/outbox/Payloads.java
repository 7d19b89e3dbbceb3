package dev.outbox;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Encoding a typed payload with a {@link PayloadCodec}, for the message builder and the outbox. */
final class Payloads {
  private Payloads() {}

  /**
   * Encodes {@code value} for a message to {@code topic}.
   *
   * @return the bytes, never null
   * @throws NullPointerException if {@code value} or {@code codec} is null
   * @throws IllegalArgumentException if the codec fails, returns null, or names no content type;
   *     the message names the topic, the value's class and the codec
   */
  static <V> byte[] encode(String topic, V value, PayloadCodec<? super V> codec) {
    Objects.requireNonNull(codec, "codec must not be null");
    Objects.requireNonNull(
        value, () -> "payload value must not be null (message for topic '" + topic + "')");
    requireContentType(codec.contentType(), "contentType() of " + codec);
    byte[] bytes;
    try {
      bytes = codec.encode(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "could not encode the payload of the message for topic '"
              + topic
              + "', a "
              + value.getClass().getName()
              + ", with "
              + codec
              + ": "
              + e.getMessage(),
          e);
    }
    if (bytes == null) {
      throw new IllegalArgumentException(
          codec
              + " returned null for the payload of the message for topic '"
              + topic
              + "', a "
              + value.getClass().getName());
    }
    return bytes;
  }

  /**
   * Whether {@code headers} already holds {@value PayloadCodec#CONTENT_TYPE_HEADER}, in any letter
   * case.
   */
  static boolean hasContentType(Map<String, String> headers) {
    for (String name : headers.keySet()) {
      if (name.toLowerCase(Locale.ROOT).equals(PayloadCodec.CONTENT_TYPE_HEADER)) {
        return true;
      }
    }
    return false;
  }

  static void requireContentType(String contentType, String what) {
    if (contentType == null || contentType.isBlank()) {
      throw new IllegalArgumentException(what + " must name a media type, not be null or blank");
    }
  }
}
