package dev.outbox.examples.demo;

import dev.outbox.Outbox;
import dev.outbox.OutboxException;
import dev.outbox.OutboxMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One order-placing thread: in each transaction it inserts an order row and enlists its {@code
 * order.created} message, then commits, or rolls back a share of them on purpose (a declined
 * payment), until its deadline.
 */
final class OrderPlacer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(OrderPlacer.class);

  /**
   * The business write; the schema is a validated identifier, quoted for the database. The new
   * order's id comes back as a generated key, which both drivers support.
   */
  private static final String INSERT_ORDER =
      "INSERT INTO %s.orders (customer, amount_cents) VALUES (?, ?)";

  private static final int CUSTOMERS = 20;

  private final DataSource dataSource;
  private final Outbox<Connection> outbox;
  private final DemoStats stats;
  private final String insertOrder;
  private final int rollbackPercent;
  private final long pauseNanos;
  private final long deadlineNanos;

  OrderPlacer(
      DataSource dataSource,
      Outbox<Connection> outbox,
      DemoStats stats,
      DemoOptions options,
      long deadlineNanos) {
    this.dataSource = dataSource;
    this.outbox = outbox;
    this.stats = stats;
    this.insertOrder = INSERT_ORDER.formatted(options.database().quote(options.schema()));
    this.rollbackPercent = options.rollbackPercent();
    this.pauseNanos = TimeUnit.SECONDS.toNanos(options.threads()) / options.rate();
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public void run() {
    while (System.nanoTime() < deadlineNanos && !Thread.currentThread().isInterrupted()) {
      placeOrder();
      try {
        TimeUnit.NANOSECONDS.sleep(pauseNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void placeOrder() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String customer = "customer-" + random.nextInt(CUSTOMERS);
    int amountCents = 100 + random.nextInt(50_000);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long orderId = insertOrder(c, customer, amountCents);
        UUID messageId = outbox.add(c, orderCreated(orderId, customer, amountCents));
        stats.placed(messageId);
        finish(c, messageId, random.nextInt(100) < rollbackPercent);
      } catch (SQLException | OutboxException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | OutboxException e) {
      stats.failedOrder();
      log.warn("demo: an order transaction failed and was rolled back: {}", e.toString());
    }
  }

  private void finish(Connection c, UUID messageId, boolean declined) throws SQLException {
    if (declined) {
      c.rollback(); // the payment was declined: neither the order nor its message exists
      stats.rolledBack(messageId);
    } else {
      c.commit(); // the order and its message, both or neither
      stats.committed(messageId);
    }
  }

  private long insertOrder(Connection c, String customer, int amountCents) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insertOrder, new String[] {"id"})) {
      ps.setString(1, customer);
      ps.setInt(2, amountCents);
      ps.executeUpdate();
      try (ResultSet rs = ps.getGeneratedKeys()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static OutboxMessage orderCreated(long orderId, String customer, int amountCents) {
    String json =
        "{\"orderId\":%d,\"customer\":\"%s\",\"amountCents\":%d}"
            .formatted(orderId, customer, amountCents);
    return OutboxMessage.builder("orders")
        .key(customer) // one customer's events stay in order
        .payload(json)
        .header("type", "order.created")
        .header("content-type", "application/json")
        .build();
  }
}
