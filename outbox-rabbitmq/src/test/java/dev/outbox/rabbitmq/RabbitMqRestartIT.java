package dev.outbox.rabbitmq;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import dev.outbox.OutboxTables;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.testkit.BrokerRestart;
import dev.outbox.testkit.RoundTrip;
import dev.outbox.testkit.RoundTrip.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The local RabbitMQ really stopped ({@code rabbitmqctl stop_app}) under a working relay and
 * started again ({@code start_app}, whatever happens). It stops a server other work may use, so it
 * runs only in the build's {@code restart} profile. The exchange and queue are durable, so that
 * they, and what reaches them before a consumer reads it, survive the stop.
 */
@Tag("restart")
class RabbitMqRestartIT {

  @Test
  void aBrokerStoppedAndStartedAgainDeadLettersNothingAndDeliveryResumesWithinAProbe()
      throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(System.getenv().getOrDefault(RabbitMqSenderIT.ENV, RabbitMqSenderIT.LOCAL));
    String name = "outbox-it-restart-" + UUID.randomUUID();
    try (TestPostgres pg = TestPostgres.create();
        Connection admin = factory.newConnection("outbox-it-restart-admin");
        Channel ch = admin.createChannel()) {
      ch.exchangeDeclare(name, "topic", true);
      ch.queueDeclare(name, true, false, false, Map.of());
      ch.queueBind(name, name, "#");
      try (RabbitMqSender sender = RabbitMqSender.builder(factory).name("it-restart").build()) {
        OutboxTables tables = pg.newOutboxTable();
        BrokerRestart.assertRidesOutARestart(
            pg.dataSource(),
            pg.dialect(),
            tables,
            TestPostgres.outbox(tables),
            name,
            sender,
            "rabbitmq-restart",
            new RabbitMq(factory, name));
      } finally {
        try (Connection c = factory.newConnection("outbox-it-restart-cleanup");
            Channel cleanup = c.createChannel()) {
          cleanup.queueDelete(name);
          cleanup.exchangeDelete(name);
        }
      }
    }
  }

  /** The local server through {@code rabbitmqctl}, and the test's durable queue. */
  private record RabbitMq(ConnectionFactory factory, String queue) implements BrokerRestart.Broker {
    @Override
    public void stop() throws Exception {
      rabbitmqctl("stop_app");
    }

    @Override
    public void start() throws Exception {
      rabbitmqctl("start_app");
    }

    @Override
    public List<Received> consume(int distinct) throws Exception {
      List<Received> received = new ArrayList<>();
      try (Connection c = factory.newConnection("outbox-it-restart-consumer");
          Channel ch = c.createChannel()) {
        // A channel must not be used from two threads: poll it on this one, draining the queue.
        await(distinct + " distinct messages read")
            .atMost(Duration.ofSeconds(60))
            .pollInSameThread()
            .until(
                () -> {
                  GetResponse r;
                  while ((r = unchecked(() -> ch.basicGet(queue, true))) != null) {
                    received.add(
                        RabbitMqSenderIT.toReceived(
                            new Delivery(r.getEnvelope(), r.getProps(), r.getBody())));
                  }
                  return RoundTrip.distinctIds(received).size() >= distinct;
                });
      }
      return received;
    }

    private static void rabbitmqctl(String command) throws Exception {
      Process p = new ProcessBuilder("rabbitmqctl", command).inheritIO().start();
      if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new AssertionError("rabbitmqctl " + command + " failed or did not end in 2 minutes");
      }
    }

    private static GetResponse unchecked(IoCall call) {
      try {
        return call.get();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @FunctionalInterface
    private interface IoCall {
      GetResponse get() throws java.io.IOException;
    }
  }
}
