package dev.outbox.internal;

import dev.outbox.MaintenanceResult;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Partition maintenance health: counters of partitions created and dropped and of runs by outcome,
 * gauges of the partitions ready ahead, of the expired partitions kept because unfinished and of
 * the last successful run, and one span per run. Gauges report the last completed run; they are
 * registered on the first run and removed by {@link #close()}.
 */
public final class PartitionTelemetry implements AutoCloseable {
  static final AttributeKey<String> TABLE = AttributeKey.stringKey("outbox.table");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outbox.outcome");
  static final AttributeKey<Long> CREATED = AttributeKey.longKey("outbox.partitions.created");
  static final AttributeKey<Long> DROPPED = AttributeKey.longKey("outbox.partitions.dropped");
  static final AttributeKey<Long> KEPT = AttributeKey.longKey("outbox.partitions.kept");

  /** The outcome of a run that threw. */
  public static final String FAILED = "failed";

  private final Meter meter;
  private final Tracer tracer;
  private final Attributes table;
  private final LongCounter created;
  private final LongCounter dropped;
  private final LongCounter runs;
  private final AtomicLong ahead = new AtomicLong(-1);
  private final AtomicLong keptUnfinished = new AtomicLong(-1);
  private final AtomicLong lastSuccessEpochSecond = new AtomicLong(-1);
  private BatchCallback gauges;
  private boolean closed;

  /** Creates the instruments on {@code openTelemetry}'s {@value RelayMetrics#SCOPE} scope. */
  public PartitionTelemetry(OpenTelemetry openTelemetry, String qualifiedTable) {
    this.meter = openTelemetry.getMeter(RelayMetrics.SCOPE);
    this.tracer = openTelemetry.getTracer(RelayMetrics.SCOPE);
    this.table = Attributes.of(TABLE, qualifiedTable);
    created = counter("outbox.partitions.created", "Partitions created by maintenance");
    dropped = counter("outbox.partitions.dropped", "Finished partitions dropped by maintenance");
    runs =
        meter
            .counterBuilder("outbox.partitions.runs")
            .setDescription(
                "Maintenance runs by outcome: completed, skipped (another instance held the"
                    + " lock), lock_timeout, failed")
            .setUnit("{run}")
            .build();
  }

  private LongCounter counter(String name, String description) {
    return meter.counterBuilder(name).setDescription(description).setUnit("{partition}").build();
  }

  /** Starts the span of one run, registering the gauges on the first one. */
  public Span startRun() {
    registerGauges();
    return tracer
        .spanBuilder("outbox partition maintenance")
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(TABLE, table.get(TABLE))
        .startSpan();
  }

  /** Records a run that returned, and ends its span. */
  public void finished(Span span, MaintenanceResult r) {
    String outcome = r.status().name().toLowerCase(Locale.ROOT);
    created.add(r.created().size(), table);
    dropped.add(r.dropped().size(), table);
    runs.add(1, Attributes.of(TABLE, table.get(TABLE), OUTCOME, outcome));
    if (r.status() != MaintenanceResult.Status.SKIPPED) {
      ahead.set(r.partitionsAhead());
      keptUnfinished.set(
          r.kept().stream()
              .filter(k -> k.reason() == MaintenanceResult.KeepReason.UNFINISHED_MESSAGES)
              .count());
    }
    if (r.status() == MaintenanceResult.Status.COMPLETED) {
      lastSuccessEpochSecond.set(r.ranAt().getEpochSecond());
    }
    span.setAttribute(OUTCOME, outcome);
    span.setAttribute(CREATED, (long) r.created().size());
    span.setAttribute(DROPPED, (long) r.dropped().size());
    span.setAttribute(KEPT, (long) r.kept().size());
    if (r.status() == MaintenanceResult.Status.LOCK_TIMEOUT) {
      span.setStatus(StatusCode.ERROR, r.detail());
    }
    span.end();
  }

  /** Records a run that threw, and ends its span. */
  public void failed(Span span, Exception e) {
    runs.add(1, Attributes.of(TABLE, table.get(TABLE), OUTCOME, FAILED));
    span.setAttribute(OUTCOME, FAILED);
    span.recordException(e);
    span.setStatus(StatusCode.ERROR, e.getMessage());
    span.end();
  }

  private synchronized void registerGauges() {
    if (gauges != null || closed) {
      return;
    }
    ObservableLongMeasurement aheadGauge =
        gauge("outbox.partitions.ahead", "Partitions ready for intervals after the current one");
    ObservableLongMeasurement keptGauge =
        gauge(
            "outbox.partitions.kept_unfinished",
            "Partitions past the retention kept because they hold unfinished messages");
    ObservableLongMeasurement lastSuccess =
        meter
            .gaugeBuilder("outbox.partitions.last_success")
            .setDescription("Unix time of the last completed maintenance run")
            .setUnit("s")
            .ofLongs()
            .buildObserver();
    gauges =
        meter.batchCallback(
            () -> {
              observe(aheadGauge, ahead);
              observe(keptGauge, keptUnfinished);
              observe(lastSuccess, lastSuccessEpochSecond);
            },
            aheadGauge,
            keptGauge,
            lastSuccess);
  }

  private ObservableLongMeasurement gauge(String name, String description) {
    return meter
        .gaugeBuilder(name)
        .setDescription(description)
        .setUnit("{partition}")
        .ofLongs()
        .buildObserver();
  }

  private void observe(ObservableLongMeasurement gauge, AtomicLong value) {
    long v = value.get();
    if (v >= 0) {
      gauge.record(v, table);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (gauges != null) {
      gauges.close();
    }
  }
}
