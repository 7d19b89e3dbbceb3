package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import org.junit.jupiter.api.Test;

class RabbitMqInboxTest {
  private static final Envelope ENVELOPE = new Envelope(5, true, "orders", "customer-7");

  @Test
  void aDeliveryWithoutTheMessageIdIsRefusedNamingWhereItCameFrom() {
    Delivery d = new Delivery(ENVELOPE, new AMQP.BasicProperties(), new byte[0]);
    assertThatThrownBy(() -> RabbitMqInbox.messageId(d))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "from exchange 'orders' with routing key 'customer-7' (delivery tag 5) has no"
                + " message-id property");
  }

  @Test
  void anEmptyMessageIdIsRefused() {
    AMQP.BasicProperties empty = new AMQP.BasicProperties.Builder().messageId("").build();
    GetResponse r = new GetResponse(ENVELOPE, empty, new byte[0], 0);
    assertThatThrownBy(() -> RabbitMqInbox.messageId(r))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has an empty message-id property");
    assertThatThrownBy(() -> RabbitMqInbox.messageId(new AMQP.BasicProperties()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the AMQP message has no message-id property");
  }

  @Test
  void theMessageIdPropertyIsReturned() {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("m-1").build();
    assertThat(RabbitMqInbox.messageId(props)).isEqualTo("m-1");
    assertThat(RabbitMqInbox.messageId(new Delivery(ENVELOPE, props, new byte[0])))
        .isEqualTo("m-1");
  }
}
