package dev.outbox.examples.service;

import dev.outbox.Outbox;
import dev.outbox.OutboxMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A service that enlists, as an application's would: it writes an order and its {@code
 * order.created} message in one transaction. Its test shows how {@code RecordingOutbox} (module
 * outbox-testkit) checks what a service enlisted; README.md, test kit section, quotes that test.
 * Thread-safe.
 */
public final class OrderService {
  private final DataSource dataSource;
  private final Outbox<Connection> outbox;

  /**
   * @param dataSource where the {@code orders} table is (the connection's current schema)
   * @param outbox where the order's message is enlisted
   */
  public OrderService(DataSource dataSource, Outbox<Connection> outbox) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
  }

  /**
   * Inserts an order and enlists its {@code order.created} message (topic {@code orders}, key the
   * customer) in one transaction: both are committed, or neither.
   *
   * @return the new order's id
   * @throws IllegalStateException if the database write failed; nothing was committed
   */
  public UUID placeOrder(String customer, long amountCents) {
    UUID orderId = UUID.randomUUID();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        insertOrder(c, orderId, customer, amountCents);
        outbox.add(
            c,
            OutboxMessage.builder("orders")
                .key(customer)
                .payload("{\"orderId\":\"" + orderId + "\",\"amountCents\":" + amountCents + "}")
                .header("type", "order.created")
                .build());
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not place the order: " + e.getMessage(), e);
    }
    return orderId;
  }

  private static void insertOrder(Connection c, UUID id, String customer, long amountCents)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO orders (id, customer, amount_cents) VALUES (?, ?, ?)")) {
      ps.setObject(1, id);
      ps.setString(2, customer);
      ps.setLong(3, amountCents);
      ps.executeUpdate();
    }
  }
}
