package dev.outbox.examples.exactlyonce;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRelay;
import dev.outbox.inbox.Inbox;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.rabbitmq.RabbitMqInbox;
import dev.outbox.rabbitmq.RabbitMqSender;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * An effect exactly once, from the producer's transaction to the consumer's, over at-least-once
 * delivery. The producer places an order and enlists its {@code order.placed} message with the
 * order's id as idempotency key, and the client retries one request, so the order is placed twice
 * but enlisted once. The relay publishes to RabbitMQ. The consumer ships each order: the inbox
 * records the message id in the same transaction as the shipment, so when RabbitMQ redelivers a
 * message (here: the first one, requeued after it was processed) the shipment is not made again.
 *
 * <p>Runs against the local PostgreSQL and RabbitMQ, or the JDBC URL in {@code args[0]} and the
 * AMQP URI in {@code args[1]}; prints the counts and fails if any order was shipped other than
 * once.
 */
public final class ExactlyOnce {
  /** The topic, and so the exchange the relay publishes to; not the demo's {@code orders}. */
  static final String TOPIC = "exactly-once.orders";

  static final String QUEUE = "exactly-once.orders";

  private ExactlyOnce() {}

  /** Runs the example; see the class comment. */
  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/postgres";
    String amqp = args.length > 1 ? args[1] : "amqp://guest:guest@127.0.0.1:5672";
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(url);
    dataSource.setUser("postgres");
    PostgresDialect dialect = new PostgresDialect();
    OutboxMigrations.migrate(dataSource, dialect);
    Inbox inbox = Inbox.builder(dataSource, dialect).build();
    inbox.migrate();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS orders (id text PRIMARY KEY)");
      s.execute("CREATE TABLE IF NOT EXISTS shipments (order_id text NOT NULL)"); // no unique key
    }
    ConnectionFactory rabbit = new ConnectionFactory();
    rabbit.setUri(amqp);
    try (com.rabbitmq.client.Connection amqpConnection = rabbit.newConnection();
        Channel channel = amqpConnection.createChannel()) {
      channel.exchangeDeclare(TOPIC, "topic", true);
      channel.queueDeclare(QUEUE, false, false, false, null);
      channel.queueBind(QUEUE, TOPIC, "#");
      channel.queuePurge(QUEUE);

      // The producer: three orders, the request for order-1 retried by the client.
      JdbcOutbox outbox = JdbcOutbox.builder(dialect).build();
      String run = UUID.randomUUID().toString().substring(0, 8);
      for (String order : new String[] {"order-1", "order-1", "order-2", "order-3"}) {
        placeOrder(dataSource, outbox, run + "-" + order);
      }

      // The relay publishes the committed messages to the exchange named by the topic.
      try (RabbitMqSender sender = RabbitMqSender.builder(rabbit).name("orders").build();
          OutboxRelay relay = OutboxRelay.builder(dataSource, dialect, sender).build()) {
        relay.start();
        int deliveries = consume(channel, inbox, dataSource, 3);
        report(dataSource, run, deliveries);
      }
    }
  }

  /** One request: the order and its message, in one transaction; a retry enlists nothing. */
  static void placeOrder(PGSimpleDataSource dataSource, JdbcOutbox outbox, String orderId)
      throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO orders (id) VALUES (?) ON CONFLICT DO NOTHING")) {
        ps.setString(1, orderId);
        ps.executeUpdate();
      }
      outbox.add(
          c,
          OutboxMessage.builder(TOPIC)
              .key(orderId)
              .payload(orderId)
              .header("type", "order.placed")
              .idempotencyKey(orderId) // a retried request: returns the first message's id
              .build());
      c.commit();
    }
  }

  /**
   * The consumer: ships each order once, whatever RabbitMQ redelivers. The first delivery is
   * processed and then requeued instead of acknowledged, as a consumer that crashed after its
   * commit would leave it; its redelivery finds the message id in the inbox.
   */
  static int consume(Channel channel, Inbox inbox, PGSimpleDataSource dataSource, int orders)
      throws Exception {
    int deliveries = 0;
    int shipped = 0;
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (shipped < orders || deliveries <= orders) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not all orders arrived in 30 s");
      }
      GetResponse delivery = channel.basicGet(QUEUE, false);
      if (delivery == null) {
        Thread.sleep(20);
        continue;
      }
      deliveries++;
      String orderId = new String(delivery.getBody(), StandardCharsets.UTF_8);
      boolean first =
          inbox
              .process(
                  "shipping",
                  RabbitMqInbox.messageId(delivery), // the outbox message id
                  tx -> ship(tx, orderId)) // the effect, in the inbox's transaction
              .isPresent();
      shipped += first ? 1 : 0;
      long tag = delivery.getEnvelope().getDeliveryTag();
      if (deliveries == 1) {
        channel.basicReject(tag, true); // redelivered: the inbox drops it
      } else {
        channel.basicAck(tag, false);
      }
    }
    return deliveries;
  }

  private static Boolean ship(Connection tx, String orderId) throws Exception {
    try (PreparedStatement ps =
        tx.prepareStatement("INSERT INTO shipments (order_id) VALUES (?)")) {
      ps.setString(1, orderId);
      ps.executeUpdate();
    }
    return true;
  }

  private static void report(PGSimpleDataSource dataSource, String run, int deliveries)
      throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT (SELECT count(*) FROM orders WHERE id LIKE ?),"
                    + " (SELECT count(*) FROM outbox_message WHERE convert_from(payload, 'UTF8') LIKE ?),"
                    + " (SELECT count(*) FROM shipments WHERE order_id LIKE ?),"
                    + " (SELECT count(DISTINCT order_id) FROM shipments WHERE order_id LIKE ?)")) {
      for (int i = 1; i <= 4; i++) {
        ps.setString(i, run + "-%");
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long orders = rs.getLong(1);
        long messages = rs.getLong(2);
        long shipments = rs.getLong(3);
        System.out.printf(
            "requests 4, orders %d, messages %d, deliveries %d, shipments %d%n",
            orders, messages, deliveries, shipments);
        if (orders != 3 || messages != 3 || shipments != 3 || rs.getLong(4) != 3) {
          throw new IllegalStateException("an order was shipped other than once");
        }
        System.out.println("every order shipped exactly once");
      }
    }
  }
}
