package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestDatabase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * JPA (Hibernate) and {@code JdbcTemplate} in the same {@code @Transactional} method as the enlist,
 * on a real database: committed, the entity, the row and the message are there and the message is
 * delivered; rolled back, none of them is. Each database's subclass gives the database.
 */
abstract class JpaTransactionalOutboxITSupport {
  private static final AtomicLong ids = new AtomicLong(5000);
  private static TestDatabase db;
  private static ConfigurableApplicationContext app;
  private static RecordingSender sender;

  /**
   * Starts the application on {@code database}, whose schema {@code defaultSchemaProperty} makes
   * the connections' default one (the entity's table is unqualified).
   */
  static void open(TestDatabase database, String defaultSchemaProperty) {
    db = database;
    sender = new RecordingSender();
    Map<String, Object> p = new HashMap<>(TestApps.properties(db));
    p.put(TestApps.EXCLUDE, TestApps.excludeAllBut(TestApps.JPA));
    p.put(defaultSchemaProperty, db.schema());
    p.put("spring.jpa.hibernate.ddl-auto", "none");
    p.put("outbox.relay.poll-interval", "1h");
    app = TestApps.start(JpaApp.class, p, sender);
    assertThat(app.getBean(PlatformTransactionManager.class))
        .isInstanceOf(JpaTransactionManager.class);
  }

  @AfterAll
  static void close() {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      db.close();
    }
  }

  @Test
  void theEntityTheRowAndTheMessageCommitTogetherAndTheMessageIsDelivered() {
    long id = ids.addAndGet(10);
    UUID messageId = app.getBean(JpaApp.Shipping.class).ship(id, "crate", false);

    assertThat(TestApps.awaitDelivered(sender, messageId).key()).isEqualTo(Long.toString(id));
    assertThat(orders(id)).containsExactly("crate", "crate wrap");
  }

  @Test
  void aRollbackDiscardsTheEntityTheRowAndTheMessage() {
    long id = ids.addAndGet(10);
    assertThatThrownBy(() -> app.getBean(JpaApp.Shipping.class).ship(id, "vase", true))
        .hasMessage("carrier refused");

    assertThat(orders(id)).isEmpty();
    assertThat(
            TestApps.column(
                db,
                "SELECT message_id FROM " + db.schema() + ".outbox_message WHERE msg_key = ?",
                Long.toString(id)))
        .isEmpty();
    assertThat(sender.received()).noneMatch(r -> r.key().equals(Long.toString(id)));
  }

  /** The items of orders {@code id} and {@code id + 1}, as another connection sees them. */
  private static List<String> orders(long id) {
    return TestApps.column(
        db,
        "SELECT item FROM " + db.schema() + ".app_orders WHERE id IN (?, ?) ORDER BY id",
        id,
        id + 1);
  }
}
