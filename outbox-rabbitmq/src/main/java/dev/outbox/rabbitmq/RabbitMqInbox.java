package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import java.util.Objects;

/**
 * The consumer side of {@link RabbitMqSender}: reads the outbox message id a message carries as its
 * AMQP {@code message-id} property, for {@code dev.outbox.inbox.Inbox}, which applies a message's
 * effect once however often RabbitMQ delivers it.
 *
 * <pre>{@code
 * channel.basicConsume(queue, false, (tag, delivery) -> {
 *   inbox.process("billing", RabbitMqInbox.messageId(delivery), tx -> bill(tx, delivery.getBody()));
 *   channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
 * }, tag -> {});
 * }</pre>
 */
public final class RabbitMqInbox {
  private RabbitMqInbox() {}

  /**
   * The outbox message id of a delivered message.
   *
   * @throws IllegalArgumentException if it has no {@code message-id} property, or an empty one,
   *     naming the exchange, the routing key and the delivery tag
   */
  public static String messageId(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery must not be null");
    return messageId(delivery.getProperties(), delivery.getEnvelope());
  }

  /**
   * The outbox message id of a message fetched with {@code basicGet}.
   *
   * @throws IllegalArgumentException if it has no {@code message-id} property, or an empty one,
   *     naming the exchange, the routing key and the delivery tag
   */
  public static String messageId(GetResponse response) {
    Objects.requireNonNull(response, "response must not be null");
    return messageId(response.getProps(), response.getEnvelope());
  }

  /**
   * The outbox message id in a message's properties.
   *
   * @throws IllegalArgumentException if there is no {@code message-id} property, or an empty one
   */
  public static String messageId(AMQP.BasicProperties properties) {
    Objects.requireNonNull(properties, "properties must not be null");
    return messageId(properties, null);
  }

  private static String messageId(AMQP.BasicProperties properties, Envelope envelope) {
    String id = properties == null ? null : properties.getMessageId();
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException(
          "the AMQP message"
              + (envelope == null
                  ? ""
                  : " from exchange '"
                      + envelope.getExchange()
                      + "' with routing key '"
                      + envelope.getRoutingKey()
                      + "' (delivery tag "
                      + envelope.getDeliveryTag()
                      + ")")
              + (id == null ? " has no" : " has an empty")
              + " message-id property: it was not sent by an outbox's RabbitMqSender, so it has"
              + " no message id to deduplicate on");
    }
    return id;
  }
}
