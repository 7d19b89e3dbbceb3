package dev.outbox.spring;

import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.kafka.KafkaSender;
import dev.outbox.kafka.KafkaSenderBuilder;
import dev.outbox.rabbitmq.RabbitMqSender;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the shipped senders from what Spring Boot configured from {@code spring.kafka.*} and
 * {@code spring.rabbitmq.*}. Loaded only when the sender's module is on the class path.
 */
final class SpringSenders {
  /**
   * Producer settings of Boot's that the KafkaSender sets itself: its serializers are fixed, and
   * its client.id names the outbox's producer apart from the application's.
   */
  private static final Set<String> SENDER_OWN =
      Set.of(
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.CLIENT_ID_CONFIG);

  private static final Pattern PRODUCER_SETTING = Pattern.compile("^producer setting (\\S+) ");

  private SpringSenders() {}

  /**
   * A KafkaSender over {@code producerConfig}, the settings Boot derived for its producer factory
   * (bootstrap servers, security, SSL bundle, {@code spring.kafka.producer.*}).
   *
   * @throws InvalidOutboxPropertyException naming the property of a value the sender refuses
   */
  static KafkaSender kafka(Map<String, Object> producerConfig, OutboxProperties.Kafka props) {
    Map<String, Object> config = new LinkedHashMap<>(producerConfig);
    String bootstrap = servers(config.remove(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    KafkaSenderBuilder b =
        KafkaSender.builder(bootstrap)
            .name(props.getName())
            .deliveryTimeout(props.getDeliveryTimeout());
    config.forEach(
        (key, value) -> {
          if (!SENDER_OWN.contains(key) && value != null) {
            b.producerProperty(key, value);
          }
        });
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      Matcher m = PRODUCER_SETTING.matcher(String.valueOf(e.getMessage()));
      if (m.find()) {
        throw new InvalidOutboxPropertyException(
            "spring.kafka.producer." + m.group(1), e.getMessage(), e);
      }
      throw InvalidOutboxPropertyException.forOption(OutboxProperties.PREFIX + ".kafka", e);
    }
  }

  /** {@code bootstrap.servers} as Boot holds it (a list or a string), comma-separated. */
  private static String servers(Object value) {
    if (value instanceof Collection<?> list) {
      return list.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    return value == null ? null : value.toString();
  }

  /**
   * A RabbitMqSender connecting with a copy of {@code factory}, the client connection factory Boot
   * configured (host, port, credentials, virtual host, TLS).
   *
   * @throws InvalidOutboxPropertyException naming the property of a value the sender refuses
   */
  static RabbitMqSender rabbitMq(ConnectionFactory factory, OutboxProperties.RabbitMq props) {
    return InvalidOutboxPropertyException.naming(
        OutboxProperties.PREFIX + ".rabbitmq",
        () ->
            RabbitMqSender.builder(factory)
                .name(props.getName())
                .mandatory(props.isMandatory())
                .connectTimeout(props.getConnectTimeout())
                .build());
  }
}
