package dev.outbox.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Side;
import dev.outbox.rabbitmq.RabbitMqSender;
import java.io.IOException;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RabbitMQ: a committed backlog of N delivered to the RabbitMQ at {@code --amqp-url} with publisher
 * confirms. Outbox: one relay, batch 100, with the shipped {@link RabbitMqSender}. Baseline: one
 * raw publisher on one confirm-mode channel, looping the raw consumer's transaction with the batch
 * of 100 published and {@code waitForConfirmsOrDie} before the rows are marked sent. Both publish
 * the same messages (persistent, mandatory, message id and timestamp set) to one topic exchange
 * with the message key as routing key, and a durable queue bound to it takes every message; the
 * queue must hold at least N after each drain (then it is purged), and the raw publisher must have
 * had no message returned. The exchange and the queue are made for the run and deleted afterwards.
 */
final class RabbitMqScenario {
  static final String NAME = "rabbitmq";

  /** How long the raw publisher waits for a batch's confirms. */
  private static final long CONFIRM_TIMEOUT_MS = 30_000;

  /** AMQP delivery mode of a message the broker writes to disk, as the sender publishes. */
  private static final int PERSISTENT = 2;

  private final BenchContext ctx;

  RabbitMqScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The variant label; {@link Targets} finds rows by it. */
  static String variant(Order order) {
    return "RabbitMqSender vs raw confirms, " + order.label();
  }

  /** Each chosen ordering, raw publisher and relay interleaved, every round. */
  void run() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(ctx.options().amqpUrl());
    String name = "outbox-bench-" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection admin = connect(factory, "outbox-bench-admin");
        Channel adminChannel = admin.createChannel();
        Connection rawConnection = factory.newConnection("outbox-bench-raw");
        SenderDrain drain = new SenderDrain(ctx)) {
      adminChannel.exchangeDeclare(name, "topic", true);
      try {
        adminChannel.queueDeclare(name, true, false, false, null);
        adminChannel.queueBind(name, name, "#");
        RabbitMqSender sender =
            RabbitMqSender.builder(factory).name("bench").exchange(r -> name).build();
        try (sender;
            RawPublisher raw = new RawPublisher(rawConnection.createChannel(), name)) {
          Broker broker = new Broker(adminChannel, name, drain, sender, raw);
          drain.measure(NAME, RabbitMqScenario::variant, broker::once);
        }
      } finally {
        adminChannel.queueDelete(name);
        adminChannel.exchangeDelete(name);
      }
    }
  }

  private static Connection connect(ConnectionFactory factory, String name) throws Exception {
    try {
      return factory.newConnection(name);
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not connect to RabbitMQ at "
              + factory.getHost()
              + ":"
              + factory.getPort()
              + ", virtual host '"
              + factory.getVirtualHost()
              + "' ("
              + e
              + (e.getCause() != null ? ", " + e.getCause().getMessage() : "")
              + "); start it or pass --amqp-url (the virtual host '/' is %2F in the URI, or no"
              + " path at all)",
          e);
    }
  }

  /** One scenario's broker side: the queue to check, and both publishers. */
  private record Broker(
      Channel admin, String queue, SenderDrain drain, RabbitMqSender sender, RawPublisher raw) {

    /** One timed drain of a fresh backlog of {@code n}; checks the queue got every message. */
    double once(Side side, Order order, int n) throws Exception {
      admin.queuePurge(queue);
      drain.load(side, order, n);
      long nanos =
          side == Side.BASELINE ? drain.drainRaw(raw, n) : drain.drainOutbox(sender, order, n);
      long depth = admin.messageCount(queue);
      if (depth < n) {
        throw new IllegalStateException(
            side.label() + " published " + n + " messages but the queue holds " + depth);
      }
      if (side == Side.BASELINE && raw.returned() > 0) {
        throw new IllegalStateException(
            "the broker returned " + raw.returned() + " raw messages as unroutable");
      }
      admin.queuePurge(queue);
      return SenderDrain.rate(n, nanos);
    }
  }

  /**
   * The raw publisher: one confirm-mode channel, each batch published as the sender publishes it,
   * then {@code waitForConfirmsOrDie}. Used from the one raw publisher thread.
   */
  private static final class RawPublisher implements RawQueue.Publisher, AutoCloseable {
    private final Channel channel;
    private final String exchange;
    private final AtomicLong returned = new AtomicLong();

    RawPublisher(Channel channel, String exchange) throws Exception {
      this.channel = channel;
      this.exchange = exchange;
      channel.confirmSelect();
      channel.addReturnListener(r -> returned.incrementAndGet());
    }

    @Override
    public void publish(List<RawQueue.Pending> rows) throws Exception {
      for (RawQueue.Pending r : rows) {
        Map<String, Object> headers = new HashMap<>();
        AMQP.BasicProperties props =
            new AMQP.BasicProperties.Builder()
                .messageId(r.messageId().toString())
                .deliveryMode(PERSISTENT)
                .timestamp(Date.from(r.createdAt()))
                .headers(headers)
                .build();
        channel.basicPublish(exchange, r.key() == null ? "" : r.key(), true, props, r.payload());
      }
      channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
    }

    /** Messages the broker returned as unroutable so far. */
    long returned() {
      return returned.get();
    }

    @Override
    public void close() throws IOException, TimeoutException {
      if (channel.isOpen()) {
        channel.close();
      }
    }
  }
}
