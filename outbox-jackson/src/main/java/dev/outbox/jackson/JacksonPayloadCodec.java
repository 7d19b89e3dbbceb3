package dev.outbox.jackson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.outbox.PayloadCodec;
import java.io.IOException;
import java.util.Objects;

/**
 * A {@link PayloadCodec} that writes values as JSON ({@value #APPLICATION_JSON}) with a Jackson
 * {@link ObjectMapper}, and reads them back. Thread-safe, as the mapper is once configured.
 *
 * <pre>{@code
 * JdbcOutbox outbox = JdbcOutbox.builder(new PostgresDialect())
 *     .payloadCodec(new JacksonPayloadCodec())        // or new JacksonPayloadCodec(yourObjectMapper)
 *     .build();
 * outbox.add(connection, "orders", order.id(), new OrderCreated(order.id(), order.lines(), now));
 *
 * // a consumer, or a test:
 * OrderCreated event = codec.decode(record.payload(), OrderCreated.class);
 * }</pre>
 *
 * <p>The {@linkplain #defaultObjectMapper() default mapper} writes {@code java.time} values as
 * ISO-8601 text ({@code "2026-01-02T03:04:05.123456Z"}) and, when reading, ignores properties the
 * target class does not have, so that a consumer still reads events a newer producer added fields
 * to. Give your application's own mapper to share its settings and modules.
 */
public final class JacksonPayloadCodec implements PayloadCodec<Object> {

  /** The media type of the payloads: {@value}. */
  public static final String APPLICATION_JSON = "application/json";

  private final ObjectMapper mapper;

  /** A codec with the {@linkplain #defaultObjectMapper() default mapper}. */
  public JacksonPayloadCodec() {
    this(defaultObjectMapper());
  }

  /**
   * A codec with {@code mapper}, used as it is configured (and as it is configured later: do not
   * reconfigure a mapper in use).
   *
   * @throws NullPointerException if {@code mapper} is null
   */
  public JacksonPayloadCodec(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper must not be null");
  }

  /**
   * A new mapper as the no-argument constructor uses it: {@link JavaTimeModule} registered, dates
   * written as ISO-8601 text rather than numbers ({@link
   * SerializationFeature#WRITE_DATES_AS_TIMESTAMPS} off), time zones kept as given rather than
   * adjusted to UTC when read, and unknown properties ignored when read ({@link
   * DeserializationFeature#FAIL_ON_UNKNOWN_PROPERTIES} off). A value with nothing to write (no
   * properties) is refused, as Jackson does by default.
   */
  public static ObjectMapper defaultObjectMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  /**
   * Writes {@code value} as JSON (UTF-8).
   *
   * @throws IllegalArgumentException if Jackson cannot write it (no serializer, a getter that
   *     throws, a cycle), with Jackson's reason and the value's class
   */
  @Override
  public byte[] encode(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "Jackson could not write a "
              + (value == null ? "null" : value.getClass().getName())
              + " as JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  /** {@value #APPLICATION_JSON}. */
  @Override
  public String contentType() {
    return APPLICATION_JSON;
  }

  /**
   * Reads a JSON payload into a {@code type}.
   *
   * @throws IllegalArgumentException if the bytes are not JSON for a {@code type}, with Jackson's
   *     reason
   */
  @Override
  public <V> V decode(byte[] payload, Class<V> type) {
    Objects.requireNonNull(payload, "payload must not be null");
    Objects.requireNonNull(type, "type must not be null");
    try {
      return mapper.readValue(payload, type);
    } catch (IOException e) {
      throw unreadable(type.getName(), e);
    }
  }

  /**
   * Reads a JSON payload into a generic type, such as {@code new TypeReference<List<Line>>() {}}.
   *
   * @throws IllegalArgumentException if the bytes are not JSON for that type, with Jackson's reason
   */
  public <V> V decode(byte[] payload, TypeReference<V> type) {
    Objects.requireNonNull(payload, "payload must not be null");
    Objects.requireNonNull(type, "type must not be null");
    try {
      return mapper.readValue(payload, type);
    } catch (IOException e) {
      throw unreadable(type.getType().getTypeName(), e);
    }
  }

  /** The mapper this codec writes and reads with. */
  public ObjectMapper objectMapper() {
    return mapper;
  }

  private static IllegalArgumentException unreadable(String type, IOException e) {
    String reason =
        e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return new IllegalArgumentException("the payload is not JSON for a " + type + ": " + reason, e);
  }

  @Override
  public String toString() {
    return "JacksonPayloadCodec[" + APPLICATION_JSON + "]";
  }
}
