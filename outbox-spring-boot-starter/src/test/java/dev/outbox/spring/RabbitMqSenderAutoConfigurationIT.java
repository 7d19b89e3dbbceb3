package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.outbox.OutboxAdmin;
import dev.outbox.Sender;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.rabbitmq.RabbitMqSender;
import dev.outbox.testkit.RecordingSender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With outbox-rabbitmq and Spring's AMQP support on the class path and no Sender bean, the starter
 * configures a RabbitMqSender from {@code spring.rabbitmq.*}: end to end from PostgreSQL to the
 * local RabbitMQ (127.0.0.1:5672, guest/guest). An application's own Sender bean wins.
 */
class RabbitMqSenderAutoConfigurationIT {
  private static PostgresTestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = PostgresTestDatabase.create();
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  private static Map<String, Object> props(String table) {
    return TestApps.properties(
        db,
        TestApps.EXCLUDE,
        TestApps.excludeAllBut(TestApps.RABBIT),
        "outbox.table",
        table,
        "spring.rabbitmq.host",
        "127.0.0.1",
        "spring.rabbitmq.port",
        "5672",
        "spring.rabbitmq.username",
        "guest",
        "spring.rabbitmq.password",
        "guest",
        "outbox.rabbitmq.name",
        "boot-it");
  }

  @Test
  void aSenderFromSpringRabbitmqPropertiesDeliversToTheBroker() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    String exchange = "outbox-boot-it-" + UUID.randomUUID();
    try (Connection connection = factory.newConnection();
        Channel channel = connection.createChannel()) {
      channel.exchangeDeclare(exchange, "direct", false, true, null);
      String queue = channel.queueDeclare().getQueue();
      channel.queueBind(queue, exchange, "42");
      try (ConfigurableApplicationContext app = TestApps.start(props("rabbit_e2e"), null)) {
        assertThat(app.getBean(Sender.class)).isInstanceOf(RabbitMqSender.class);
        assertThat(((RabbitMqSender) app.getBean(Sender.class)).name()).isEqualTo("boot-it");

        UUID id = app.getBean(OrderApp.OrderService.class).publish(exchange, 42, "parcel");
        GetResponse got =
            await()
                .atMost(TestApps.DELIVERY)
                .until(() -> channel.basicGet(queue, true), Objects::nonNull);
        assertThat(got.getProps().getMessageId()).isEqualTo(id.toString());
        assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("parcel");

        OutboxAdmin admin = app.getBean(OutboxAdmin.class);
        await()
            .atMost(TestApps.DELIVERY)
            .until(
                () -> admin.messagesById(id).stream().map(MessageView::state).toList(),
                states -> states.equals(List.of(MessageState.SENT)));
      }
    }
  }

  @Test
  void theApplicationsOwnSenderBeanWins() {
    RecordingSender own = new RecordingSender();
    try (ConfigurableApplicationContext app = TestApps.start(props("rabbit_own"), own)) {
      assertThat(app.getBeansOfType(Sender.class)).containsOnlyKeys("sender");
    }
  }
}
