package dev.outbox.spring;

import dev.outbox.Sender;
import dev.outbox.kafka.KafkaSender;
import dev.outbox.rabbitmq.RabbitMqSender;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ProducerFactory;

/**
 * A {@link Sender} from Spring's own messaging settings, when the application defines none: a
 * {@link KafkaSender} over the settings of Boot's Kafka producer factory ({@code spring.kafka.*}),
 * when outbox-kafka and Spring's Kafka support are on the class path; otherwise a {@link
 * RabbitMqSender} over the connection settings of Boot's RabbitMQ connection factory ({@code
 * spring.rabbitmq.*}), when outbox-rabbitmq and Spring's AMQP support are. With both, Kafka's is
 * configured; {@code outbox.kafka.enabled=false} leaves it out. The relay closes before its sender.
 */
@AutoConfiguration(
    before = OutboxAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
      "org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration"
    })
@ConditionalOnBooleanProperty(name = "outbox.enabled", matchIfMissing = true)
@EnableConfigurationProperties(OutboxProperties.class)
public class OutboxSenderAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public OutboxSenderAutoConfiguration() {}

  /** The Kafka sender; declared first, so it wins when RabbitMQ is on the class path too. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({KafkaSender.class, ProducerFactory.class})
  @ConditionalOnSingleCandidate(ProducerFactory.class)
  @ConditionalOnMissingBean(Sender.class)
  @ConditionalOnBooleanProperty(name = "outbox.kafka.enabled", matchIfMissing = true)
  static class KafkaSenderConfiguration {

    @Bean
    KafkaSender outboxKafkaSender(ProducerFactory<?, ?> producers, OutboxProperties props) {
      return SpringSenders.kafka(producers.getConfigurationProperties(), props.getKafka());
    }
  }

  /** The RabbitMQ sender. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RabbitMqSender.class, AbstractConnectionFactory.class})
  @ConditionalOnSingleCandidate(AbstractConnectionFactory.class)
  @ConditionalOnMissingBean(Sender.class)
  @ConditionalOnBooleanProperty(name = "outbox.rabbitmq.enabled", matchIfMissing = true)
  static class RabbitMqSenderConfiguration {

    @Bean
    RabbitMqSender outboxRabbitMqSender(
        AbstractConnectionFactory connections, OutboxProperties props) {
      return SpringSenders.rabbitMq(connections.getRabbitConnectionFactory(), props.getRabbitmq());
    }
  }
}
