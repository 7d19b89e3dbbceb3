package dev.outbox.examples.spring;

import dev.outbox.OutboxMessage;
import dev.outbox.spring.TransactionalOutbox;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: the order row and its event commit together, or neither does. */
@Service
public class OrderService {
  private final JdbcClient jdbc;
  private final TransactionalOutbox outbox;

  OrderService(JdbcClient jdbc, TransactionalOutbox outbox) {
    this.jdbc = jdbc;
    this.outbox = outbox;
  }

  /** The order placed and the id of its {@code order.placed} event. */
  public record Placed(long orderId, UUID eventId) {}

  /**
   * Writes the order and enlists its {@code order.placed} event, keyed by the order id, in one
   * transaction.
   *
   * @throws IllegalArgumentException if the quantity is not positive; nothing is written
   */
  @Transactional
  public Placed place(String item, int quantity) {
    if (quantity <= 0) {
      throw new IllegalArgumentException("quantity must be positive, was " + quantity);
    }
    KeyHolder key = new GeneratedKeyHolder();
    jdbc.sql("INSERT INTO orders (item, quantity) VALUES (?, ?)")
        .params(item, quantity)
        .update(key, "id");
    long id = key.getKeyAs(Long.class);
    String json =
        "{\"orderId\":%d,\"item\":\"%s\",\"quantity\":%d}"
            .formatted(id, item.replace("\\", "\\\\").replace("\"", "\\\""), quantity);
    UUID eventId =
        outbox.add(
            OutboxMessage.builder("orders")
                .key(Long.toString(id))
                .payload(json.getBytes(StandardCharsets.UTF_8))
                .header("type", "order.placed")
                .build());
    return new Placed(id, eventId);
  }
}
