package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.MaintenanceResult.Status;
import dev.outbox.PartitionMaintenance;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.sql.Connection;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partition maintenance health in metrics and spans: partitions ahead, created, dropped, kept
 * because unfinished, the last successful run, runs by outcome, and one span per run.
 */
public abstract class PartitionTelemetryContract extends PartitionContractSupport {
  private TestTelemetry telemetry;

  @BeforeEach
  final void installSdk() {
    telemetry = new TestTelemetry();
  }

  @AfterEach
  final void closeSdk() {
    telemetry.close();
  }

  /** Metrics report partitions ahead dropped kept and the last successful run. */
  @Test
  public final void metricsReportPartitionsAheadDroppedKeptAndTheLastSuccessfulRun()
      throws Exception {
    insertMessage(daysAgo(10), RowState.SENT);
    insertMessage(daysAgo(9), RowState.PENDING);
    PartitionMaintenance job =
        closeAfterTest(maintenanceBuilder().openTelemetry(telemetry.sdk()).build());

    assertThat(job.runOnce().status()).isEqualTo(Status.COMPLETED);

    List<MetricData> collected = List.copyOf(telemetry.metrics().collectAllMetrics());
    assertThat(gauge(collected, "outbox.partitions.ahead")).isEqualTo(3);
    assertThat(gauge(collected, "outbox.partitions.kept_unfinished")).isEqualTo(1);
    assertThat(gauge(collected, "outbox.partitions.last_success")).isEqualTo(NOW.getEpochSecond());
    assertThat(sum(collected, "outbox.partitions.created")).isEqualTo(6);
    assertThat(sum(collected, "outbox.partitions.dropped")).isEqualTo(1);
    assertThat(runs(collected, "completed")).isEqualTo(1);
  }

  /** A skipped run is counted and leaves the last success alone. */
  @Test
  public final void aSkippedRunIsCountedAndLeavesTheLastSuccessAlone() throws Exception {
    PartitionMaintenance job =
        closeAfterTest(maintenanceBuilder().openTelemetry(telemetry.sdk()).build());
    job.runOnce();
    clock.advance(java.time.Duration.ofHours(2));
    try (Connection other = dataSource.getConnection()) {
      dialect.partitions().tryLock(other, job.lockKey());
      try {
        assertThat(job.runOnce().status()).isEqualTo(Status.SKIPPED);
      } finally {
        dialect.partitions().unlock(other, job.lockKey());
      }
    }

    List<MetricData> collected = List.copyOf(telemetry.metrics().collectAllMetrics());
    assertThat(runs(collected, "skipped")).isEqualTo(1);
    assertThat(runs(collected, "completed")).isEqualTo(1);
    assertThat(gauge(collected, "outbox.partitions.last_success"))
        .as("the time of the completed run, not of the skipped one")
        .isEqualTo(NOW.getEpochSecond());
  }

  /** Each run has a span with what it did. */
  @Test
  public final void eachRunHasASpanWithWhatItDid() throws Exception {
    insertMessage(daysAgo(10), RowState.SENT);
    PartitionMaintenance job =
        closeAfterTest(maintenanceBuilder().openTelemetry(telemetry.sdk()).build());

    job.runOnce();
    job.runOnce();

    List<SpanData> runs =
        telemetry.spans().getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals("outbox partition maintenance"))
            .toList();
    assertThat(runs).hasSize(2);
    SpanData first = runs.get(0);
    assertThat(first.getAttributes().get(AttributeKey.stringKey("outbox.outcome")))
        .isEqualTo("completed");
    assertThat(first.getAttributes().get(AttributeKey.longKey("outbox.partitions.created")))
        .isEqualTo(5);
    assertThat(first.getAttributes().get(AttributeKey.longKey("outbox.partitions.dropped")))
        .isEqualTo(1);
    assertThat(first.getAttributes().get(AttributeKey.stringKey("outbox.table")))
        .isEqualTo(messageTable());
    assertThat(runs.get(1).getAttributes().get(AttributeKey.longKey("outbox.partitions.created")))
        .isZero();
  }

  private static long gauge(Collection<MetricData> collected, String name) {
    return points(collected, name, true).stream().mapToLong(LongPointData::getValue).sum();
  }

  private static long sum(Collection<MetricData> collected, String name) {
    return points(collected, name, false).stream().mapToLong(LongPointData::getValue).sum();
  }

  private static long runs(Collection<MetricData> collected, String outcome) {
    return points(collected, "outbox.partitions.runs", false).stream()
        .filter(
            p -> outcome.equals(p.getAttributes().get(AttributeKey.stringKey("outbox.outcome"))))
        .mapToLong(LongPointData::getValue)
        .sum();
  }

  private static Collection<LongPointData> points(
      Collection<MetricData> collected, String name, boolean gauge) {
    MetricData m =
        collected.stream()
            .filter(d -> d.getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no metric " + name + " in " + collected));
    return gauge ? m.getLongGaugeData().getPoints() : m.getLongSumData().getPoints();
  }
}
