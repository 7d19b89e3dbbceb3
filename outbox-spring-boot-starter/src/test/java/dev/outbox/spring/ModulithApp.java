package dev.outbox.spring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.modulith.events.Externalized;
import org.springframework.transaction.annotation.Transactional;

/**
 * A test application with Spring Modulith's events: a {@code @Transactional} method writes an order
 * with {@link JdbcTemplate} and publishes domain events, one of them {@code @Externalized}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ModulithApp {

  @Bean
  Shipping shipping(
      JdbcTemplate jdbc,
      ApplicationEventPublisher events,
      @Value("${outbox.schema}") String schema) {
    return new Shipping(jdbc, events, schema);
  }

  /** Externalized to the topic {@code shipments}, keyed by the order id. */
  @Externalized("shipments::#{#this.orderId()}")
  record OrderShipped(String orderId, String item) {}

  /** Not externalized: stays inside the application. */
  record OrderPacked(String orderId) {}

  /** The service; each public method is one transaction. */
  static class Shipping {
    private final JdbcTemplate jdbc;
    private final ApplicationEventPublisher events;
    private final String schema;

    Shipping(JdbcTemplate jdbc, ApplicationEventPublisher events, String schema) {
      this.jdbc = jdbc;
      this.events = events;
      this.schema = schema;
    }

    /** Writes order {@code id}, publishes that it was packed and shipped; then fails if asked. */
    @Transactional
    public void ship(long id, String item, boolean fail) {
      jdbc.update("INSERT INTO " + schema + ".app_orders (id, item) VALUES (?, ?)", id, item);
      events.publishEvent(new OrderPacked(Long.toString(id)));
      events.publishEvent(new OrderShipped(Long.toString(id), item));
      if (fail) {
        throw new IllegalStateException("carrier refused");
      }
    }
  }
}
