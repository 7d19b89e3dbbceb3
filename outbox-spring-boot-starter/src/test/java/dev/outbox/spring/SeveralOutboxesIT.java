package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.RecordingSender;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two outboxes in one application from {@code outbox.instances.*}: {@code orders} on PostgreSQL and
 * {@code billing} on MariaDB (or MySQL), each with its DataSource bean, tables, relay and Sender
 * bean. A message enlisted in one is delivered by that outbox's relay through its sender only, and
 * an outbox refuses a transaction of the other's DataSource.
 */
class SeveralOutboxesIT {
  private static PostgresTestDatabase pg;
  private static MySqlTestDatabase maria;
  private static HikariDataSource ordersDs;
  private static HikariDataSource billingDs;

  @BeforeAll
  static void open() {
    pg = PostgresTestDatabase.create();
    maria = MySqlTestDatabase.create();
    ordersDs = pg.dataSource("orders", 4);
    billingDs = maria.dataSource("billing", 4);
  }

  @AfterAll
  static void close() {
    ordersDs.close();
    billingDs.close();
    pg.close();
    maria.close();
  }

  /** An application whose DataSources, senders and outboxes come from the test and properties. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class TwoDatabasesApp {}

  private static Map<String, Object> props() {
    Map<String, Object> p = new HashMap<>();
    p.put(TestApps.EXCLUDE, TestApps.excludeAllBut());
    // Boot's Flyway needs a single DataSource; the outboxes migrate their own tables.
    p.put("spring.flyway.enabled", "false");
    p.put("outbox.instances.orders.data-source", "ordersDataSource");
    p.put("outbox.instances.orders.sender", "ordersSender");
    p.put("outbox.instances.orders.schema", pg.schema());
    p.put("outbox.instances.orders.relay.poll-interval", "1h");
    p.put("outbox.instances.orders.postgres.notifications", "false");
    p.put("outbox.instances.billing.data-source", "billingDataSource");
    p.put("outbox.instances.billing.sender", "billingSender");
    p.put("outbox.instances.billing.schema", maria.schema());
    p.put("outbox.instances.billing.table", "billing_outbox");
    p.put("outbox.instances.billing.relay.poll-interval", "1h");
    return p;
  }

  private static ConfigurableApplicationContext start(
      Map<String, Object> p, RecordingSender orders, RecordingSender billing) {
    return TestApps.start(
        TwoDatabasesApp.class,
        p,
        Map.of(
            "ordersDataSource", ordersDs,
            "billingDataSource", billingDs,
            "ordersSender", orders,
            "billingSender", billing));
  }

  @Test
  void eachOutboxsMessagesAreDeliveredByItsOwnRelayOnly() {
    RecordingSender ordersSender = new RecordingSender();
    RecordingSender billingSender = new RecordingSender();
    try (ConfigurableApplicationContext app = start(props(), ordersSender, billingSender)) {
      TransactionalOutbox orders = outbox(app, "orders");
      TransactionalOutbox billing = outbox(app, "billing");
      assertThat(app.getBeansOfType(OutboxRelayLifecycle.class).values())
          .extracting(r -> r.relay().name())
          .containsExactlyInAnyOrder("orders", "billing");

      UUID order = enlist(ordersDs, orders, "orders", "o-1");
      UUID invoice = enlist(billingDs, billing, "invoices", "b-1");

      // The relays poll once an hour: each delivery is its own outbox's after-commit wake-up.
      TestApps.awaitDelivered(ordersSender, order);
      TestApps.awaitDelivered(billingSender, invoice);
      await()
          .atMost(TestApps.DELIVERY)
          .until(() -> state(app, "orders", order), s -> s == MessageState.SENT);
      await()
          .atMost(TestApps.DELIVERY)
          .until(() -> state(app, "billing", invoice), s -> s == MessageState.SENT);
      assertThat(ordersSender.received()).extracting(OutboxRecord::messageId).containsOnly(order);
      assertThat(billingSender.received())
          .extracting(OutboxRecord::messageId)
          .containsOnly(invoice);
      assertThat(TestApps.tables(maria))
          .contains("billing_outbox")
          .doesNotContain("outbox_message");
      assertThat(TestApps.tables(pg)).contains("outbox_message");
    }
  }

  @Test
  void anOutboxRefusesATransactionOfTheOtherDataSource() {
    try (ConfigurableApplicationContext app =
        start(props(), new RecordingSender(), new RecordingSender())) {
      TransactionalOutbox billing = outbox(app, "billing");
      assertThatThrownBy(() -> enlist(ordersDs, billing, "invoices", "wrong-db"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not hold a connection of the outbox's DataSource");
      assertThat(app.getBeanNamesForType(OutboxEndpoint.class)).as("several admins").isEmpty();
    }
  }

  @Test
  void anInstanceWithoutADataSourceFailsStartUpNamingTheProperty() {
    Map<String, Object> p = props();
    p.remove("outbox.instances.billing.data-source");
    assertThatThrownBy(() -> start(p, new RecordingSender(), new RecordingSender()).close())
        .satisfies(
            e ->
                assertThat(StartupIT.find(e).property())
                    .isEqualTo("outbox.instances.billing.data-source"));
  }

  private static TransactionalOutbox outbox(ConfigurableApplicationContext app, String name) {
    return BeanFactoryAnnotationUtils.qualifiedBeanOfType(
        app.getBeanFactory(), TransactionalOutbox.class, name);
  }

  private static UUID enlist(DataSource ds, TransactionalOutbox outbox, String topic, String key) {
    return new TransactionTemplate(new DataSourceTransactionManager(ds))
        .execute(tx -> outbox.add(OutboxMessage.of(topic, key, "payload of " + key)));
  }

  private static MessageState state(ConfigurableApplicationContext app, String name, UUID id) {
    OutboxAdmin admin =
        BeanFactoryAnnotationUtils.qualifiedBeanOfType(
            app.getBeanFactory(), OutboxAdmin.class, name);
    List<MessageState> states = admin.messagesById(id).stream().map(MessageView::state).toList();
    return states.isEmpty() ? null : states.get(0);
  }
}
