package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.postgres.PostgresTestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code outbox.partitions.*} runs partition maintenance with the application on PostgreSQL: the
 * partitions ahead appear at start-up, and the job stops with the context.
 */
class PartitionPropertiesIT {
  private static PostgresTestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = PostgresTestDatabase.create();
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  @Test
  void partitionMaintenanceFromPropertiesCreatesThePartitionsAhead() {
    Map<String, Object> p = new HashMap<>(TestApps.properties(db));
    p.put("outbox.partitions.enabled", "true");
    p.put("outbox.partitions.interval", "hourly");
    p.put("outbox.partitions.partitions-ahead", "5");
    p.put("outbox.partitions.name", "orders-partitions");
    PartitionMaintenanceLifecycle job;
    try (ConfigurableApplicationContext app = TestApps.start(p, null)) {
      job = app.getBean(PartitionMaintenanceLifecycle.class);
      assertThat(job.isRunning()).isTrue();
      assertThat(job.maintenance().name()).isEqualTo("orders-partitions");
      // The current hour and 5 ahead (6, or 7 across an hour's turn), beside DEFAULT.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(hourlyPartitions()).hasSizeBetween(6, 7));
    }
    assertThat(job.isRunning()).isFalse();
  }

  private static List<String> hourlyPartitions() {
    return TestApps.column(
        db,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " JOIN pg_class t ON t.oid = i.inhparent"
            + " JOIN pg_namespace n ON n.oid = t.relnamespace"
            + " WHERE n.nspname = ? AND t.relname = 'outbox_message'"
            + " AND c.relname <> 'outbox_message_default'",
        db.schema());
  }
}
