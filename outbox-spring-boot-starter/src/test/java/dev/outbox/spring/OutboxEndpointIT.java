package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.outbox.OutboxAdmin;
import dev.outbox.Outcome;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.PausedTopic;
import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.testkit.RecordingSender;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code outbox} Actuator endpoint on MariaDB (or MySQL): its reads answer from the tables, and
 * its writes change nothing unless {@code outbox.actuator.writes-enabled=true}.
 */
class OutboxEndpointIT {
  private static MySqlTestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = MySqlTestDatabase.create();
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  private static Map<String, Object> props(String table, Object... keysAndValues) {
    Map<String, Object> p = TestApps.properties(db, keysAndValues);
    p.put("outbox.table", table);
    return p;
  }

  @Test
  void readsAnswerAndWritesAreRefusedUnlessEnabled() {
    try (ConfigurableApplicationContext app = TestApps.start(props("endpoint_ro"), null)) {
      app.getBean(OrderApp.OrderService.class).placeOrder(System.nanoTime(), "unsent");
      OutboxEndpoint endpoint = app.getBean(OutboxEndpoint.class);

      assertThat(endpoint.overview().pending()).isEqualTo(1);
      assertThat(endpoint.key("no-such-key").pending()).isZero();
      assertThatThrownBy(() -> endpoint.act("pause", "orders", null, null))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("outbox.actuator.writes-enabled=true");
      assertThat(app.getBean(OutboxAdmin.class).paused()).isEmpty();
    }
  }

  @Test
  void enabledWritesPauseResumeAndReplay() throws InterruptedException {
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r -> r.topic().equals("poison") ? Outcome.dead(r, "unreadable") : Outcome.sent(r));
    try (ConfigurableApplicationContext app =
        TestApps.start(props("endpoint_rw", "outbox.actuator.writes-enabled", "true"), sender)) {
      OutboxEndpoint endpoint = app.getBean(OutboxEndpoint.class);
      OutboxAdmin admin = app.getBean(OutboxAdmin.class);

      endpoint.act("pause", "orders", "deploying the consumer", null);
      assertThat(admin.paused())
          .extracting(PausedTopic::topic, PausedTopic::reason)
          .containsExactly(tuple("orders", "deploying the consumer"));
      assertThat(endpoint.act("resume", "orders", null, null)).containsEntry("wasPaused", true);
      assertThat(admin.paused()).isEmpty();

      app.getBean(OrderApp.OrderService.class).publish("poison", System.nanoTime(), "garbage");
      List<DeadLetterView> dead =
          await()
              .atMost(Duration.ofSeconds(15))
              .until(
                  () -> admin.deadLetters(DeadLetterFilter.all(), null, 10).items(),
                  d -> !d.isEmpty());
      assertThat(endpoint.act("replay", null, null, dead.get(0).id())).containsEntry("rows", 1L);
      assertThat(sender.awaitReceived(2, Duration.ofSeconds(15)))
          .extracting(r -> r.messageId())
          .containsOnly(dead.get(0).messageId());

      assertThatThrownBy(() -> endpoint.act("replay", null, null, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("deadLetterId");
    }
  }
}
