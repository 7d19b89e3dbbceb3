package dev.outbox.spring;

import dev.outbox.OutboxMessage;
import java.util.List;
import java.util.UUID;
import java.util.function.ToLongFunction;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * The test application: a service whose {@code @Transactional} methods write an order with {@link
 * JdbcTemplate} (into the table its own Flyway migration created) and enlist a message. The {@code
 * Sender} comes from each test.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class OrderApp {

  @Bean
  OrderService orderService(
      JdbcTemplate jdbc, TransactionalOutbox outbox, @Value("${outbox.schema}") String schema) {
    return new OrderService(jdbc, outbox, schema);
  }

  /** What an application's service does; every public method is one transaction. */
  static class OrderService {
    private final JdbcTemplate jdbc;
    private final TransactionalOutbox outbox;
    private final String schema;

    OrderService(JdbcTemplate jdbc, TransactionalOutbox outbox, String schema) {
      this.jdbc = jdbc;
      this.outbox = outbox;
      this.schema = schema;
    }

    @Transactional
    public UUID placeOrder(long id, String item) {
      return insertAndEnlist("orders", id, item);
    }

    @Transactional
    public UUID placeOrderThenFail(long id, String item) {
      insertAndEnlist("orders", id, item);
      throw new IllegalStateException("payment declined");
    }

    /** Two orders, each with its message, in one transaction. */
    @Transactional
    public List<UUID> placeTwoOrders(long first, long second) {
      return List.of(insertAndEnlist("orders", first, "a"), insertAndEnlist("orders", second, "b"));
    }

    /** Publishes on {@code topic}; returns the message id. */
    @Transactional
    public UUID publish(String topic, long id, String item) {
      return insertAndEnlist(topic, id, item);
    }

    /**
     * Places an order and counts its message twice before the commit: through the transaction's
     * JdbcTemplate, and through {@code outside} (another connection).
     */
    @Transactional
    public long[] placeOrderAndCount(long id, String item, ToLongFunction<String> outside) {
      insertAndEnlist("orders", id, item);
      Long inside =
          jdbc.queryForObject(
              "SELECT COUNT(*) FROM " + schema + ".outbox_message WHERE msg_key = ?",
              Long.class,
              Long.toString(id));
      return new long[] {inside, outside.applyAsLong(Long.toString(id))};
    }

    private UUID insertAndEnlist(String topic, long id, String item) {
      jdbc.update("INSERT INTO " + schema + ".app_orders (id, item) VALUES (?, ?)", id, item);
      return outbox.add(OutboxMessage.of(topic, Long.toString(id), item));
    }
  }
}
