package dev.outbox.kafka;

import dev.outbox.OutboxRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Configures a {@link KafkaSender}. {@link #build()} validates every option and names the first
 * invalid one. Not thread-safe.
 */
public final class KafkaSenderBuilder {
  /** Default {@link #name(String)}. */
  public static final String DEFAULT_NAME = "kafka";

  /**
   * Default {@link #deliveryTimeout(Duration)}: 20 seconds, below the relay's 30 s send timeout.
   */
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(20);

  /** Default {@link #maxBlock(Duration)}: 5 seconds. */
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(5);

  /** Default {@link #closeTimeout(Duration)}: 10 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Longest accepted {@link #deliveryTimeout(Duration)}: 1 hour. */
  public static final Duration MAX_DELIVERY_TIMEOUT = Duration.ofHours(1);

  /** Longest accepted {@link #maxBlock(Duration)} and {@link #closeTimeout(Duration)}. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(5);

  /** Longest request timeout the builder derives from the delivery timeout: 10 seconds. */
  static final long MAX_DERIVED_REQUEST_TIMEOUT_MS = 10_000;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Settings the sender's guarantees rest on, with the only value accepted for each. */
  private static final Map<String, String> REQUIRED =
      Map.of(
          ProducerConfig.ACKS_CONFIG,
          "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          "true",
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          StringSerializer.class.getName(),
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          ByteArraySerializer.class.getName());

  private final String bootstrapServers;
  private final Map<String, Object> properties = new LinkedHashMap<>();
  private String name = DEFAULT_NAME;
  private Function<OutboxRecord, String> topicMapping = OutboxRecord::topic;
  private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;
  private Duration maxBlock = DEFAULT_MAX_BLOCK;
  private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

  KafkaSenderBuilder(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * The sender's name in logs and in the producer's {@code client.id} ({@code outbox-<name>}): 1 to
   * 64 letters, digits, dots, dashes or underscores. Default: {@value #DEFAULT_NAME}.
   */
  public KafkaSenderBuilder name(String name) {
    this.name = name;
    return this;
  }

  /**
   * Maps a record to its Kafka topic, for example {@code r -> "prod." + r.topic()}. Default: the
   * record's own {@link OutboxRecord#topic() topic}.
   */
  public KafkaSenderBuilder topicMapping(Function<OutboxRecord, String> topicMapping) {
    this.topicMapping = topicMapping;
    return this;
  }

  /**
   * How long the producer tries to deliver a record, its own retries included, before reporting it
   * for a relay retry ({@code delivery.timeout.ms}). Keep it below the relay's send timeout, so
   * that every record gets Kafka's own answer before the relay gives up on the batch. From 1 second
   * to 1 hour. Default: 20 seconds.
   */
  public KafkaSenderBuilder deliveryTimeout(Duration deliveryTimeout) {
    this.deliveryTimeout = deliveryTimeout;
    return this;
  }

  /**
   * How long handing one record to the producer may block the relay's thread, waiting for topic
   * metadata or buffer space ({@code max.block.ms}); zero to 5 minutes. Default: 5 seconds.
   */
  public KafkaSenderBuilder maxBlock(Duration maxBlock) {
    this.maxBlock = maxBlock;
    return this;
  }

  /**
   * How long {@link KafkaSender#close()} waits for records the producer still holds; zero to 5
   * minutes. Default: 10 seconds.
   */
  public KafkaSenderBuilder closeTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
    return this;
  }

  /**
   * Sets any other producer setting ({@code compression.type}, security settings, ...); it wins
   * over the values this builder derives. {@code acks}, {@code enable.idempotence} and the
   * serializers are fixed by the sender and may only be set to the values it uses. Default: none.
   */
  public KafkaSenderBuilder producerProperty(String key, Object value) {
    properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * Creates the producer and returns the sender. The producer connects lazily, so this succeeds
   * while the brokers are down.
   *
   * @throws IllegalArgumentException naming the first invalid option and its allowed range
   */
  public KafkaSender build() {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "bootstrapServers must be host:port[,host:port...], was '" + bootstrapServers + "'");
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name must be 1 to 64 letters, digits, '.', '-' or '_', was '" + name + "'");
    }
    Objects.requireNonNull(topicMapping, "topicMapping must not be null");
    checkRange("deliveryTimeout", deliveryTimeout, Duration.ofSeconds(1), MAX_DELIVERY_TIMEOUT);
    checkRange("maxBlock", maxBlock, Duration.ZERO, MAX_WAIT);
    checkRange("closeTimeout", closeTimeout, Duration.ZERO, MAX_WAIT);
    REQUIRED.forEach(this::checkRequired);
    return new KafkaSender(name, producerConfig(), topicMapping, closeTimeout);
  }

  private Map<String, Object> producerConfig() {
    long deliveryMs = deliveryTimeout.toMillis();
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "outbox-" + name);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryMs);
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
    config.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
        (int) Math.min(MAX_DERIVED_REQUEST_TIMEOUT_MS, deliveryMs / 2));
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
    config.putAll(properties);
    config.putAll(REQUIRED);
    return config;
  }

  private void checkRequired(String key, String required) {
    Object given = properties.get(key);
    if (given != null && !required.equals(given.toString())) {
      throw new IllegalArgumentException(
          "producer setting "
              + key
              + " must be "
              + required
              + " for KafkaSender (or left out), was "
              + given);
    }
  }

  private static void checkRange(String option, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, option + " must not be null");
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          option + " must be between " + min + " and " + max + ", was " + value);
    }
  }
}
