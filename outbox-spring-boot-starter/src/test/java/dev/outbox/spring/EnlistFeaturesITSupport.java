package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.DuplicateMessageException;
import dev.outbox.OnDuplicate;
import dev.outbox.OutboxRecord;
import dev.outbox.PayloadCodec;
import dev.outbox.inbox.Inbox;
import dev.outbox.jackson.JacksonPayloadCodec;
import dev.outbox.spi.DedupTable;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Idempotent enlists, typed payloads and the inbox through the starter, on a real database: {@code
 * outbox.idempotency.*} reaches the outbox (a repeated key in a second {@code @Transactional} call
 * writes no second message, or is refused and rolls that call back), {@code add(topic, key, value)}
 * writes JSON with its content type, and the {@code Inbox} bean makes a {@code @Transactional}
 * consumer apply a repeated message id once. Each database's subclass gives the database.
 */
abstract class EnlistFeaturesITSupport {
  private static final AtomicLong ids = new AtomicLong(5000);

  /** The database of this class; its subclass closes it. */
  abstract TestDatabase db();

  private ConfigurableApplicationContext start(RecordingSender sender, Object... keysAndValues) {
    Map<String, Object> p = TestApps.properties(db(), keysAndValues);
    return TestApps.start(FeaturesApp.class, p, sender);
  }

  @Test
  void aKeyEnlistedInAnEarlierTransactionIsNotWrittenAgain() {
    try (ConfigurableApplicationContext app =
        start(
            null,
            "outbox.idempotency.window",
            "2h",
            "outbox.idempotency.on-duplicate",
            "return-first")) {
      OutboxProperties.Idempotency bound = app.getBean(OutboxProperties.class).getIdempotency();
      assertThat(bound.getWindow()).isEqualTo(Duration.ofHours(2));
      assertThat(bound.getOnDuplicate()).isEqualTo(OnDuplicate.RETURN_FIRST);
      assertThat(app.getBeanNamesForType(Inbox.class)).as("inbox off by default").isEmpty();
      FeaturesApp.Orders orders = app.getBean(FeaturesApp.Orders.class);
      long first = ids.incrementAndGet();
      long second = ids.incrementAndGet();
      String key = "request-" + first;

      UUID firstId = orders.place(first, "book", key);
      UUID secondId = orders.place(second, "book", key);

      assertThat(secondId).as("the first message's id").isEqualTo(firstId);
      assertThat(messagesOf(first, second)).isEqualTo(1);
      assertThat(count("app_orders WHERE id IN (?, ?)", first, second))
          .as("the business writes go ahead")
          .isEqualTo(2);
      // The key is kept in buckets of the configured window (2 h), not the default 24 h.
      long bucket = Math.floorDiv(Instant.now().toEpochMilli(), Duration.ofHours(2).toMillis());
      assertThat(maxBucket(key)).isBetween(bucket - 1, bucket);
      assertThat(orders.place(ids.incrementAndGet(), "pen", key + "-other")).isNotEqualTo(firstId);
    }
  }

  @Test
  void refusedDuplicatesThrowAndRollTheSecondTransactionBack() {
    try (ConfigurableApplicationContext app =
        start(null, "outbox.idempotency.on-duplicate", "refuse")) {
      FeaturesApp.Orders orders = app.getBean(FeaturesApp.Orders.class);
      long first = ids.incrementAndGet();
      long second = ids.incrementAndGet();
      String key = "request-" + first;
      UUID firstId = orders.place(first, "lamp", key);

      assertThatThrownBy(() -> orders.place(second, "lamp", key))
          .isInstanceOfSatisfying(
              DuplicateMessageException.class,
              e -> {
                assertThat(e.firstMessageId()).isEqualTo(firstId);
                assertThat(e.idempotencyKey()).isEqualTo(key);
              });
      assertThat(count("app_orders WHERE id = ?", second)).as("rolled back").isZero();
      assertThat(messagesOf(first, second)).isEqualTo(1);
    }
  }

  @Test
  void aTypedPayloadIsWrittenAsJsonWithItsContentType() throws Exception {
    RecordingSender sender = new RecordingSender();
    try (ConfigurableApplicationContext app = start(sender)) {
      TransactionalOutbox outbox = app.getBean(TransactionalOutbox.class);
      assertThat(outbox.payloadCodec()).containsInstanceOf(JacksonPayloadCodec.class);
      long id = ids.incrementAndGet();
      Instant at = Instant.parse("2026-03-04T05:06:07.123456Z");

      UUID messageId = app.getBean(FeaturesApp.Orders.class).placeTyped(id, "teapot", at);

      OutboxRecord r = TestApps.awaitDelivered(sender, messageId);
      assertThat(r.headers()).containsEntry(PayloadCodec.CONTENT_TYPE_HEADER, "application/json");
      JsonNode json = new ObjectMapper().readTree(r.payload());
      assertThat(json.get("orderId").asLong()).isEqualTo(id);
      assertThat(json.get("item").asText()).isEqualTo("teapot");
      assertThat(json.get("placedAt").asText()).isEqualTo("2026-03-04T05:06:07.123456Z");
      assertThat(
              outbox
                  .payloadCodec()
                  .orElseThrow()
                  .decode(r.payload(), FeaturesApp.OrderPlaced.class))
          .isEqualTo(new FeaturesApp.OrderPlaced(id, "teapot", at));
    }
  }

  @Test
  void theInboxAppliesATransactionalConsumersEffectOnceForARepeatedId() {
    InboxExpiryLifecycle expiry;
    try (ConfigurableApplicationContext app =
        start(
            null,
            "outbox.inbox.enabled",
            "true",
            "outbox.inbox.table",
            "billing_inbox",
            "outbox.inbox.window",
            "2d")) {
      Inbox inbox = app.getBean(Inbox.class);
      assertThat(inbox.table()).isEqualTo(new DedupTable(db().schema(), "billing_inbox"));
      assertThat(inbox.window()).isEqualTo(Duration.ofDays(2));
      assertThat(TestApps.tables(db())).contains("billing_inbox", "billing_inbox_schema_history");
      FeaturesApp.Billing billing = app.getBean(FeaturesApp.Billing.class);
      String messageId = UUID.randomUUID().toString();

      assertThat(billing.consume(messageId, ids.incrementAndGet(), false)).isTrue();
      assertThat(billing.consume(messageId, ids.incrementAndGet(), false)).isFalse();
      assertThat(count("app_orders WHERE item = ?", messageId)).isEqualTo(1);

      String failing = UUID.randomUUID().toString();
      assertThatThrownBy(() -> billing.consume(failing, ids.incrementAndGet(), true))
          .hasMessage("billing failed");
      assertThat(count("app_orders WHERE item = ?", failing)).isZero();
      assertThat(billing.consume(failing, ids.incrementAndGet(), false))
          .as("a rolled-back first time is not recorded")
          .isTrue();
      assertThat(count("app_orders WHERE item = ?", failing)).isEqualTo(1);

      expiry = app.getBean(InboxExpiryLifecycle.class);
      assertThat(expiry.period()).isEqualTo(Duration.ofHours(1));
      assertThat(expiry.isRunning()).isTrue();
      await().atMost(TestApps.DELIVERY).until(() -> expiry.runs() >= 1);
    }
    assertThat(expiry.isRunning()).isFalse();
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .doesNotContain("outbox-inbox-expire-billing_inbox");
  }

  @Test
  void expiredIdsAreRemovedOnSchedule() {
    try (ConfigurableApplicationContext app =
        start(
            null,
            "outbox.inbox.enabled",
            "true",
            "outbox.inbox.table",
            "short_inbox",
            "outbox.inbox.window",
            "1s",
            "outbox.inbox.expire-period",
            "1s")) {
      FeaturesApp.Billing billing = app.getBean(FeaturesApp.Billing.class);
      assertThat(billing.consume(UUID.randomUUID().toString(), ids.incrementAndGet(), false))
          .isTrue();
      assertThat(count("short_inbox")).isPositive();
      // A record of bucket b expires at the start of bucket b + 2 (2 s at most), and the next run
      // of the schedule (every second) empties its slot.
      await().atMost(TestApps.DELIVERY).until(() -> count("short_inbox") == 0);
    }
  }

  private long count(String tableAndWhere, Object... args) {
    return TestApps.column(
            db(), "SELECT COUNT(*) FROM " + db().schema() + "." + tableAndWhere, args)
        .stream()
        .mapToLong(Long::parseLong)
        .sum();
  }

  /** The outbox rows of orders {@code first} and {@code second} (their message keys). */
  private long messagesOf(long first, long second) {
    return count(
        "outbox_message WHERE msg_key IN (?, ?)", Long.toString(first), Long.toString(second));
  }

  private long maxBucket(String key) {
    return Long.parseLong(
        TestApps.column(
                db(),
                "SELECT MAX(bucket) FROM "
                    + db().schema()
                    + ".outbox_message_idem WHERE dedup_key = ?",
                key)
            .get(0));
  }
}
