package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.OutboxAdmin;
import dev.outbox.Outcome;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestDatabase;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code outbox} health indicator flips on a real database: DOWN once the oldest pending
 * message is older than {@code outbox.health.max-oldest-pending-age} (the sender keeps asking for a
 * retry) and UP again once it is delivered; DOWN once the dead letters pass {@code
 * outbox.health.max-dead-letters}, not at it. Each database's subclass gives a fresh schema per
 * test.
 */
abstract class HealthITSupport {

  abstract TestDatabase openDatabase();

  private static ConfigurableApplicationContext start(
      TestDatabase db, RecordingSender sender, String property, String value) {
    Map<String, Object> p = new HashMap<>(TestApps.properties(db));
    p.put(property, value);
    p.put("outbox.relay.poll-interval", "200ms");
    p.put("outbox.relay.backoff.initial", "100ms");
    p.put("outbox.relay.backoff.max", "300ms");
    p.put("outbox.relay.retry-forever", "true");
    return TestApps.start(p, sender);
  }

  @Test
  void downWhileTheOldestPendingMessageIsOlderThanTheLimitAndUpOnceItIsDelivered() {
    AtomicBoolean brokerBack = new AtomicBoolean();
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r ->
                    brokerBack.get()
                        ? Outcome.sent(r)
                        : Outcome.retry(r, new IllegalStateException("queue full")));
    try (TestDatabase db = openDatabase();
        ConfigurableApplicationContext app =
            start(db, sender, "outbox.health.max-oldest-pending-age", "2s")) {
      OutboxHealthIndicator health = app.getBean(OutboxHealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);

      UUID held = app.getBean(OrderApp.OrderService.class).publish("held", 1, "parcel");
      Health down = awaitStatus(health, Status.DOWN);
      assertThat(down.getDetails())
          .containsEntry("pending", 1L)
          .containsEntry("reason", "oldest pending message older than PT2S");

      brokerBack.set(true);
      await()
          .atMost(TestApps.DELIVERY)
          .until(() -> app.getBean(OutboxAdmin.class).overview().pending() == 0);
      assertThat(sender.received()).extracting(r -> r.messageId()).contains(held);
      awaitStatus(health, Status.UP);
    }
  }

  @Test
  void downOnceTheDeadLettersPassTheLimit() {
    RecordingSender sender = new RecordingSender().answering(r -> Outcome.dead(r, "unreadable"));
    try (TestDatabase db = openDatabase();
        ConfigurableApplicationContext app =
            start(db, sender, "outbox.health.max-dead-letters", "1")) {
      OutboxHealthIndicator health = app.getBean(OutboxHealthIndicator.class);
      OutboxAdmin admin = app.getBean(OutboxAdmin.class);
      OrderApp.OrderService orders = app.getBean(OrderApp.OrderService.class);

      orders.publish("poison", 1, "garbage");
      await().atMost(TestApps.DELIVERY).until(() -> admin.overview().deadLetters() == 1);
      assertThat(health.health().getStatus()).as("at the limit").isEqualTo(Status.UP);

      orders.publish("poison", 2, "garbage");
      Health down = awaitStatus(health, Status.DOWN);
      assertThat(down.getDetails())
          .containsEntry("deadLetters", 2L)
          .containsEntry("reason", "more than 1 dead letters");
    }
  }

  private static Health awaitStatus(OutboxHealthIndicator health, Status status) {
    return await()
        .atMost(TestApps.DELIVERY)
        .until(health::health, h -> h.getStatus().equals(status));
  }
}
