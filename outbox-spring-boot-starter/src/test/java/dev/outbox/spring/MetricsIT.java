package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestTelemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The outbox's metrics reach the application's pipeline, on MariaDB (or MySQL): with Micrometer
 * (Boot's MeterRegistry) a delivered message moves the Micrometer meters; with an {@code
 * OpenTelemetry} bean, that bean's instruments instead.
 */
class MetricsIT {
  private static MySqlTestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = MySqlTestDatabase.create();
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  private static Map<String, Object> props(String table) {
    return TestApps.properties(db, "outbox.table", table, "outbox.relay.name", table);
  }

  @Test
  void aDeliveredMessageMovesTheMicrometerMeters() {
    RecordingSender sender = new RecordingSender();
    try (ConfigurableApplicationContext app = TestApps.start(props("metrics_mm"), sender)) {
      MeterRegistry registry = app.getBean(MeterRegistry.class);
      UUID id = app.getBean(OrderApp.OrderService.class).placeOrder(1, "kettle");
      TestApps.awaitDelivered(sender, id);

      Counter sent =
          await()
              .atMost(TestApps.DELIVERY)
              .until(
                  () ->
                      registry
                          .find("outbox.messages.sent")
                          .tags(
                              "messaging.destination.name", "orders", "outbox.relay", "metrics_mm")
                          .counter(),
                  c -> c != null && c.count() == 1);
      assertThat(sent.getId().getDescription()).isEqualTo("Messages delivered and acknowledged");
      Timer lag = registry.get("outbox.delivery.lag").tag("outbox.relay", "metrics_mm").timer();
      assertThat(lag.count()).isEqualTo(1);
      Gauge pending =
          registry.get("outbox.backlog.pending").tag("outbox.relay", "metrics_mm").gauge();
      await().atMost(TestApps.DELIVERY).until(() -> pending.value() == 0);
    }
  }

  @Test
  void anOpenTelemetryBeanTakesTheMetricsInsteadOfMicrometer() {
    RecordingSender sender = new RecordingSender();
    try (TestTelemetry telemetry = new TestTelemetry();
        ConfigurableApplicationContext app =
            TestApps.start(
                OrderApp.class,
                props("metrics_otel"),
                Map.of("sender", sender, "openTelemetry", telemetry.sdk()))) {
      UUID id = app.getBean(OrderApp.OrderService.class).placeOrder(2, "toaster");
      TestApps.awaitDelivered(sender, id);

      await().atMost(TestApps.DELIVERY).until(() -> sentCount(telemetry) == 1);
      assertThat(app.getBean(MeterRegistry.class).find("outbox.messages.sent").counters())
          .isEmpty();
    }
  }

  private static long sentCount(TestTelemetry telemetry) {
    return telemetry.metrics().collectAllMetrics().stream()
        .filter(m -> m.getName().equals("outbox.messages.sent"))
        .map(MetricData::getLongSumData)
        .flatMap(d -> d.getPoints().stream())
        .mapToLong(LongPointData::getValue)
        .sum();
  }
}
