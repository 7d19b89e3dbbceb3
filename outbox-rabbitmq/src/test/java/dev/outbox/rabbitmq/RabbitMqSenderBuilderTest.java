package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RabbitMqSenderBuilderTest {
  private final ConnectionFactory factory = new ConnectionFactory();

  @Test
  void invalidOptionsAreRejectedNamingTheOptionAndItsRange() {
    assertThatThrownBy(() -> RabbitMqSender.builder(factory).name("").build())
        .hasMessageContaining("name must be 1 to 64 letters");
    assertThatThrownBy(
            () -> RabbitMqSender.builder(factory).connectTimeout(Duration.ofMillis(5)).build())
        .hasMessage("connectTimeout must be between 100 ms and 5 minutes, was PT0.005S");
    assertThatThrownBy(
            () -> RabbitMqSender.builder(factory).closeTimeout(Duration.ofSeconds(-1)).build())
        .hasMessage("closeTimeout must be between zero and 5 minutes, was PT-1S");
    assertThatThrownBy(() -> RabbitMqSender.builder(factory).exchange(null).build())
        .hasMessage("exchange must not be null");
  }

  @Test
  void theCallersFactoryIsLeftAsItWas() {
    factory.setConnectionTimeout(60_000);
    factory.setAutomaticRecoveryEnabled(true);

    RabbitMqSender.builder(factory).connectTimeout(Duration.ofSeconds(2)).build().close();

    assertThat(factory.getConnectionTimeout()).isEqualTo(60_000);
    assertThat(factory.isAutomaticRecoveryEnabled()).isTrue();
  }
}
