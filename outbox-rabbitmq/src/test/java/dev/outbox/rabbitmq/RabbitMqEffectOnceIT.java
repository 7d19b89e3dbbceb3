package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import dev.outbox.OnDuplicate;
import dev.outbox.Sender;
import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.EffectOnce;
import dev.outbox.testkit.RelayProcess;
import dev.outbox.testkit.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Effect exactly once through the real RabbitMQ, on PostgreSQL and on MariaDB ({@link EffectOnce}):
 * orders placed with idempotency keys and retried requests ({@link OnDuplicate#REFUSE}: a retried
 * request's transaction, its order row included, is rolled back), relay processes with a {@link
 * RabbitMqSender} killed with SIGKILL mid-batch, so that the queue gets some messages twice, and a
 * consumer that applies each delivery's effect through the inbox in one transaction and
 * acknowledges after the commit. The consumer makes RabbitMQ deliver again on its side too: it
 * rejects (requeue) the first delivery of every tenth order after committing it, and its first
 * channel stops acknowledging after {@value #STALL_AFTER} deliveries, takes a full prefetch
 * ({@value #PREFETCH}) of committed but unacknowledged deliveries, and is closed, so the broker
 * hands them to a second channel. Each order's effect is applied exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqEffectOnceIT {
  private static final int PREFETCH = 20;
  private static final int STALL_AFTER = 100;

  private Connection connection;

  @BeforeAll
  void connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri());
    connection = factory.newConnection("effect-once-it");
  }

  @AfterAll
  void disconnect() throws Exception {
    if (connection != null) {
      connection.close();
    }
  }

  private static String uri() {
    return System.getenv().getOrDefault(RabbitMqSenderIT.ENV, RabbitMqSenderIT.LOCAL);
  }

  /** The relay processes' sender: a {@link RabbitMqSender} on the AMQP URI given. */
  public static final class Senders implements RelayProcess.SenderFactory {
    @Override
    public Sender create(String uri) throws Exception {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri);
      return RabbitMqSender.builder(factory).name("effect-once").build();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"postgresql", "mariadb"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void eachOrdersEffectOnceThoughRelaysDieMidBatchAndTheConsumerRequeues(String database)
      throws Exception {
    String name = "effect-once-" + UUID.randomUUID();
    Channel admin = connection.createChannel();
    admin.exchangeDeclare(name, "topic", false, false, null);
    admin.queueDeclare(name, false, false, false, null);
    admin.queueBind(name, name, "#");
    try (TestDatabase db = database(database);
        EffectOnce e2e = new EffectOnce("rabbitmq " + database, db, OnDuplicate.REFUSE)) {
      e2e.placeOrders(name);
      Billing billing = new Billing(name, e2e);
      Channel first = billing.consume(true);
      e2e.relayKilledMidBatch(Senders.class, uri());

      await("a full prefetch committed and left unacknowledged on the first channel")
          .atMost(Duration.ofSeconds(20))
          .until(billing.stalled::get, n -> n == PREFETCH);
      first.close(); // the broker requeues its unacknowledged deliveries
      billing.consume(false);
      await("every copy acknowledged, the queue empty")
          .atMost(Duration.ofSeconds(20))
          .pollInSameThread()
          .during(Duration.ofMillis(500))
          .until(
              () ->
                  admin.queueDeclarePassive(name).getMessageCount() == 0
                      && billing.acks.get() == billing.copies.size());

      assertThat(billing.failures).as("consumer failures").isEmpty();
      e2e.assertEffectOnce(List.copyOf(billing.copies));
      assertThat(billing.requeued)
          .as("deliveries rejected back to the queue after their commit")
          .hasPositiveValue();
    } finally {
      admin.queueDelete(name);
      admin.exchangeDelete(name);
      admin.close();
    }
  }

  private static TestDatabase database(String name) {
    return name.equals("mariadb") ? MySqlTestDatabase.create() : PostgresTestDatabase.create();
  }

  /**
   * The consumer: hands each delivery to {@link EffectOnce#consume}, then acknowledges it, or
   * rejects it back to the queue (the first delivery of every tenth order), or, on a stalling
   * channel past {@value #STALL_AFTER} deliveries, leaves it unacknowledged. A delivery not marked
   * redelivered is a copy the broker got from a relay: those are counted.
   */
  private final class Billing {
    private final String queue;
    private final EffectOnce e2e;
    private final List<String> copies = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger acks = new AtomicInteger();
    private final AtomicInteger requeued = new AtomicInteger();
    private final AtomicInteger stalled = new AtomicInteger();
    private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

    Billing(String queue, EffectOnce e2e) {
      this.queue = queue;
      this.e2e = e2e;
    }

    /** Starts consuming on a new channel; a stalling one stops acknowledging after a while. */
    Channel consume(boolean stalls) throws IOException {
      Channel channel = connection.createChannel();
      channel.basicQos(PREFETCH);
      AtomicInteger handled = new AtomicInteger();
      channel.basicConsume(
          queue,
          false,
          (tag, d) -> handle(channel, d, stalls && handled.incrementAndGet() > STALL_AFTER),
          tag -> {});
      return channel;
    }

    private void handle(Channel channel, Delivery d, boolean stall) {
      try {
        String id = RabbitMqInbox.messageId(d);
        boolean redelivered = d.getEnvelope().isRedeliver();
        if (!redelivered) {
          copies.add(id);
        }
        String order = new String(d.getBody(), StandardCharsets.UTF_8);
        e2e.consume(id, order); // committed: the inbox record and the effect
        long tag = d.getEnvelope().getDeliveryTag();
        if (stall) {
          stalled.incrementAndGet();
        } else if (!redelivered && order.endsWith("3")) {
          channel.basicNack(tag, false, true);
          requeued.incrementAndGet();
        } else {
          channel.basicAck(tag, false);
          acks.incrementAndGet();
        }
      } catch (Exception | AssertionError e) {
        failures.add(e);
      }
    }
  }
}
