package dev.outbox.spring;

import dev.outbox.OutboxMessage;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.Table;
import java.util.UUID;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * A test application with JPA (Hibernate, so Boot's transaction manager is a {@code
 * JpaTransactionManager}): one {@code @Transactional} method persists an entity, writes a row with
 * {@link JdbcTemplate} and enlists a message. The connection's schema is the test database's.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class JpaApp {

  @Bean
  Shipping shipping(JdbcTemplate jdbc, TransactionalOutbox outbox) {
    return new Shipping(jdbc, outbox);
  }

  /** An order as a JPA entity, in the table the application's Flyway migration created. */
  @Entity
  @Table(name = "app_orders")
  static class AppOrder {
    @Id private Long id;
    private String item;

    protected AppOrder() {}

    AppOrder(long id, String item) {
      this.id = id;
      this.item = item;
    }
  }

  /** The service; each public method is one transaction. */
  static class Shipping {
    @PersistenceContext private EntityManager entities;
    private final JdbcTemplate jdbc;
    private final TransactionalOutbox outbox;

    Shipping(JdbcTemplate jdbc, TransactionalOutbox outbox) {
      this.jdbc = jdbc;
      this.outbox = outbox;
    }

    /**
     * Persists order {@code id} with JPA, writes order {@code id + 1} (its gift wrap) with the
     * JdbcTemplate, and enlists a message keyed {@code id}; then fails if {@code fail}.
     */
    @Transactional
    public UUID ship(long id, String item, boolean fail) {
      entities.persist(new AppOrder(id, item));
      jdbc.update("INSERT INTO app_orders (id, item) VALUES (?, ?)", id + 1, item + " wrap");
      UUID messageId = outbox.add(OutboxMessage.of("shipments", Long.toString(id), item));
      entities.flush();
      if (fail) {
        throw new IllegalStateException("carrier refused");
      }
      return messageId;
    }
  }
}
