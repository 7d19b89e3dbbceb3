package dev.outbox.spring;

import dev.outbox.OutboxMessage;
import dev.outbox.inbox.Inbox;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.annotation.Transactional;

/**
 * A test application for idempotent and typed enlists and the inbox: {@code @Transactional} methods
 * that write a row with {@link JdbcTemplate} (into the table its own Flyway migration created) and
 * enlist, or consume a message id through the {@link Inbox}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class FeaturesApp {

  /** A typed payload. */
  record OrderPlaced(long orderId, String item, Instant placedAt) {}

  @Bean
  Orders orders(
      JdbcTemplate jdbc, TransactionalOutbox outbox, @Value("${outbox.schema}") String schema) {
    return new Orders(jdbc, outbox, schema);
  }

  @Bean
  Billing billing(
      JdbcTemplate jdbc,
      DataSource dataSource,
      ObjectProvider<Inbox> inbox,
      @Value("${outbox.schema}") String schema) {
    return new Billing(jdbc, dataSource, inbox, schema);
  }

  /** Enlists; every public method is one transaction. */
  static class Orders {
    private final JdbcTemplate jdbc;
    private final TransactionalOutbox outbox;
    private final String schema;

    Orders(JdbcTemplate jdbc, TransactionalOutbox outbox, String schema) {
      this.jdbc = jdbc;
      this.outbox = outbox;
      this.schema = schema;
    }

    /** Writes order {@code id} and its message with {@code idempotencyKey}. */
    @Transactional
    public UUID place(long id, String item, String idempotencyKey) {
      insert(id, item);
      return outbox.add(
          OutboxMessage.builder("orders")
              .key(Long.toString(id))
              .payload(item)
              .idempotencyKey(idempotencyKey)
              .build());
    }

    /** Writes order {@code id} and enlists an {@link OrderPlaced} through the codec. */
    @Transactional
    public UUID placeTyped(long id, String item, Instant at) {
      insert(id, item);
      return outbox.add("orders", Long.toString(id), new OrderPlaced(id, item, at));
    }

    private void insert(long id, String item) {
      jdbc.update("INSERT INTO " + schema + ".app_orders (id, item) VALUES (?, ?)", id, item);
    }
  }

  /** Consumes through the inbox; every public method is one transaction. */
  static class Billing {
    private final JdbcTemplate jdbc;
    private final DataSource dataSource;
    private final ObjectProvider<Inbox> inbox;
    private final String schema;

    Billing(JdbcTemplate jdbc, DataSource dataSource, ObjectProvider<Inbox> inbox, String schema) {
      this.jdbc = jdbc;
      this.dataSource = dataSource;
      this.inbox = inbox;
      this.schema = schema;
    }

    /**
     * Applies the effect of {@code messageId} (a row {@code effectId} whose item is the message id)
     * the first time it is consumed; then fails if {@code fail}, rolling both back.
     *
     * @return whether the effect was applied
     */
    @Transactional
    public boolean consume(String messageId, long effectId, boolean fail) {
      boolean first =
          inbox
              .getObject()
              .firstTime(DataSourceUtils.getConnection(dataSource), "billing", messageId);
      if (first) {
        jdbc.update(
            "INSERT INTO " + schema + ".app_orders (id, item) VALUES (?, ?)", effectId, messageId);
      }
      if (fail) {
        throw new IllegalStateException("billing failed");
      }
      return first;
    }
  }
}
