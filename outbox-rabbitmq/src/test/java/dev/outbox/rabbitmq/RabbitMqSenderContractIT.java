package dev.outbox.rabbitmq;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.Sender;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.RoundTrip;
import dev.outbox.testkit.RoundTrip.Received;
import dev.outbox.testkit.SenderContract;
import dev.outbox.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The kit's {@link SenderContract} for {@link RabbitMqSender}, on the real RabbitMQ server: each
 * test's destination is a fresh topic exchange with a server-named queue bound to every key.
 */
class RabbitMqSenderContractIT extends SenderContract {
  private ConnectionFactory factory;
  private Connection consumerConnection;
  private final Map<String, List<Received>> received = new ConcurrentHashMap<>();
  private final List<Channel> channels = new ArrayList<>();

  @BeforeAll
  void connect() throws Exception {
    factory = new ConnectionFactory();
    factory.setUri(System.getenv().getOrDefault(RabbitMqSenderIT.ENV, RabbitMqSenderIT.LOCAL));
    consumerConnection = factory.newConnection("outbox-contract-consumer");
  }

  @AfterAll
  void disconnect() throws Exception {
    for (Channel ch : channels) {
      ch.close();
    }
    if (consumerConnection != null) {
      consumerConnection.close();
    }
  }

  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @Override
  protected String freshDestination() throws Exception {
    String exchange = "outbox-contract-" + UUID.randomUUID();
    List<Received> arrived = Collections.synchronizedList(new ArrayList<>());
    received.put(exchange, arrived);
    Channel ch = consumerConnection.createChannel();
    channels.add(ch);
    ch.exchangeDeclare(exchange, "topic", false, true, Map.of()); // deleted with its last queue
    String queue = ch.queueDeclare().getQueue();
    ch.queueBind(queue, exchange, "#");
    ch.basicConsume(
        queue, true, (tag, d) -> arrived.add(RabbitMqSenderIT.toReceived(d)), tag -> {});
    return exchange;
  }

  @Override
  protected Sender newSender(String name) {
    return RabbitMqSender.builder(factory).name(name).build();
  }

  @Override
  protected List<Received> consume(String exchange, int distinct, Duration timeout) {
    List<Received> arrived = received.get(exchange);
    await(distinct + " distinct messages consumed")
        .atMost(timeout)
        .until(() -> RoundTrip.distinctIds(snapshot(arrived)).size() >= distinct);
    return snapshot(arrived);
  }

  private static List<Received> snapshot(List<Received> arrived) {
    synchronized (arrived) {
      return List.copyOf(arrived);
    }
  }
}
