package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A Spring Boot application with the starter, on a real database: {@code @Transactional} methods
 * that write with {@code JdbcTemplate} and enlist. The relay polls only once an hour and, on
 * PostgreSQL, NOTIFY is off, so a delivery within seconds is the after-commit wake-up's doing. Each
 * database's subclass gives the database; the application lives for the class and drops the schema
 * when it closes.
 */
@SpringBootTest(
    classes = {OrderApp.class, TransactionalOutboxITSupport.Beans.class},
    webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class TransactionalOutboxITSupport {
  private static final Duration DELIVERY = TestApps.DELIVERY;
  private static final AtomicLong ids = new AtomicLong(1000);

  @Autowired OrderApp.OrderService orders;
  @Autowired TransactionalOutbox outbox;
  @Autowired RecordingSender sender;
  @Autowired JdbcTemplate jdbc;
  @Autowired LocalRelays localRelays;

  /** The database of this class. */
  abstract TestDatabase db();

  static void register(TestDatabase db, DynamicPropertyRegistry registry) {
    TestApps.properties(db).forEach((k, v) -> registry.add(k, () -> v));
    registry.add("outbox.relay.poll-interval", () -> "1h");
    registry.add("outbox.postgres.notifications", () -> "false");
  }

  /** The sender, and the schema dropped when the application closes. */
  @TestConfiguration
  static class Beans {
    @Bean
    RecordingSender sender() {
      return new RecordingSender();
    }

    /** Destroyed before the DataSource (which it depends on), after the relay has stopped. */
    @Bean
    DisposableBean dropSchemaOnClose(DataSource dataSource, TestDatabaseHolder holder) {
      return holder::close;
    }

    @Bean
    TestDatabaseHolder testDatabaseHolder(@Value("${outbox.schema}") String schema) {
      return new TestDatabaseHolder(schema);
    }
  }

  @Test
  void aCommittedTransactionsMessageIsDeliveredAtOnce() {
    long id = ids.incrementAndGet();
    UUID messageId = orders.placeOrder(id, "book");

    OutboxRecord r = awaitDelivered(messageId);
    assertThat(r.key()).isEqualTo(Long.toString(id));
    assertThat(new String(r.payload(), StandardCharsets.UTF_8)).isEqualTo("book");
    assertThat(count("app_orders WHERE id = " + id)).isEqualTo(1);
  }

  @Test
  void aRolledBackTransactionsMessageIsNeverDelivered() {
    long rolledBack = ids.incrementAndGet();
    assertThatThrownBy(() -> orders.placeOrderThenFail(rolledBack, "lamp"))
        .hasMessage("payment declined");

    UUID later = orders.placeOrder(ids.incrementAndGet(), "after");
    awaitDelivered(later);
    assertThat(sender.received()).noneMatch(r -> r.key().equals(Long.toString(rolledBack)));
    assertThat(count("outbox_message WHERE msg_key = '" + rolledBack + "'")).isZero();
    assertThat(count("app_orders WHERE id = " + rolledBack)).isZero();
  }

  @Test
  void theMessageIsWrittenInTheTransactionOfTheJdbcTemplate() {
    long id = ids.incrementAndGet();
    long[] counts =
        orders.placeOrderAndCount(
            id,
            "pen",
            key ->
                TestApps.column(
                        db(),
                        "SELECT COUNT(*) FROM "
                            + db().schema()
                            + ".outbox_message WHERE msg_key = ?",
                        key)
                    .stream()
                    .mapToLong(Long::parseLong)
                    .sum());
    assertThat(counts[0]).as("seen by the JdbcTemplate in the transaction").isEqualTo(1);
    assertThat(counts[1]).as("seen by another connection before the commit").isZero();
    await().atMost(DELIVERY).until(() -> count("outbox_message WHERE msg_key = '" + id + "'") == 1);
  }

  @Test
  void aCommitThatEnlistedWakesTheLocalRelaysOnceAndARollbackDoesNot() {
    assertThat(localRelays.size()).isEqualTo(1);
    long before = localRelays.wakeUps();
    orders.placeOrder(ids.incrementAndGet(), "one");
    assertThat(localRelays.wakeUps()).isEqualTo(before + 1);

    assertThatThrownBy(() -> orders.placeOrderThenFail(ids.incrementAndGet(), "two"))
        .hasMessage("payment declined");
    assertThat(localRelays.wakeUps()).as("after a rollback").isEqualTo(before + 1);

    orders.placeTwoOrders(ids.incrementAndGet(), ids.incrementAndGet());
    assertThat(localRelays.wakeUps()).as("one transaction, two writes").isEqualTo(before + 2);
  }

  @Test
  void enlistingOutsideATransactionFailsAndWritesNothing() {
    assertThatThrownBy(() -> outbox.add(OutboxMessage.of("orders", "no-tx", "x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Spring transaction is active");
    assertThat(count("outbox_message WHERE msg_key = 'no-tx'")).isZero();
  }

  private OutboxRecord awaitDelivered(UUID messageId) {
    return TestApps.awaitDelivered(sender, messageId);
  }

  private long count(String tableAndWhere) {
    Long n =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM " + db().schema() + "." + tableAndWhere, Long.class);
    return n == null ? 0 : n;
  }
}
