package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.inbox.Inbox;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.testkit.RoundTrip;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link RabbitMqInbox} against the real RabbitMQ server: a message relayed by {@link
 * RabbitMqSender} is fetched with its outbox message id, rejected back to its queue, delivered
 * again, and its effect is applied once through an {@link Inbox} on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqInboxIT {
  private TestPostgres pg;
  private ConnectionFactory factory;
  private Connection connection;

  @BeforeAll
  void connect() throws Exception {
    pg = TestPostgres.create();
    factory = new ConnectionFactory();
    factory.setUri(System.getenv().getOrDefault(RabbitMqSenderIT.ENV, RabbitMqSenderIT.LOCAL));
    connection = factory.newConnection("outbox-inbox-it");
  }

  @AfterAll
  void disconnect() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void theDeliveredMessageCarriesTheOutboxMessageIdAndARedeliveryIsAppliedOnce() throws Exception {
    String exchange = "outbox-inbox-it-" + UUID.randomUUID();
    Channel channel = connection.createChannel();
    channel.exchangeDeclare(exchange, "topic", false, true, null);
    String queue = channel.queueDeclare().getQueue();
    channel.queueBind(queue, exchange, "#");
    OutboxTables tables = pg.newOutboxTable();
    UUID id = pg.enlist(TestPostgres.outbox(tables), OutboxMessage.of(exchange, "k", "one")).get(0);
    Inbox inbox =
        Inbox.builder(pg.dataSource(), pg.dialect()).table(pg.schema(), "inbox_rabbit").build();
    inbox.migrate();
    AtomicInteger effects = new AtomicInteger();
    try (RabbitMqSender sender = RabbitMqSender.builder(factory).name("inbox").build();
        OutboxRelay relay =
            RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).name("inbox").build()) {
      relay.start();
      AtomicReference<GetResponse> fetched = new AtomicReference<>();
      await("the message")
          .atMost(Duration.ofSeconds(30))
          .until(() -> fetch(channel, queue, fetched));
      String messageId = RabbitMqInbox.messageId(fetched.get());
      assertThat(messageId).isEqualTo(id.toString());
      inbox.process("billing", messageId, tx -> effects.incrementAndGet());
      // As if the consumer died before its ack: the broker delivers the message again.
      channel.basicReject(fetched.get().getEnvelope().getDeliveryTag(), true);

      List<Delivery> redelivered = Collections.synchronizedList(new ArrayList<>());
      channel.basicConsume(queue, false, (tag, d) -> redelivered.add(d), tag -> {});
      await("the redelivery").atMost(Duration.ofSeconds(30)).until(() -> !redelivered.isEmpty());
      Delivery again = redelivered.get(0);
      assertThat(again.getEnvelope().isRedeliver()).isTrue();
      assertThat(RabbitMqInbox.messageId(again)).isEqualTo(id.toString());
      inbox.process("billing", RabbitMqInbox.messageId(again), tx -> effects.incrementAndGet());
      channel.basicAck(again.getEnvelope().getDeliveryTag(), false);
    } finally {
      channel.exchangeDelete(exchange);
      channel.close();
    }
    assertThat(effects).hasValue(1);
  }

  private static boolean fetch(Channel channel, String queue, AtomicReference<GetResponse> into)
      throws Exception {
    GetResponse r = channel.basicGet(queue, false);
    into.set(r);
    return r != null;
  }
}
