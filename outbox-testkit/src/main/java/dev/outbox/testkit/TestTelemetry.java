package dev.outbox.testkit;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * An OpenTelemetry SDK that keeps what it records in memory, for a test to hand to a relay or a
 * maintenance job and then read back: metrics on demand, each span as it ends.
 */
public final class TestTelemetry implements AutoCloseable {
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();

  /** The SDK to pass as {@code openTelemetry(...)}. */
  public OpenTelemetrySdk sdk() {
    return sdk;
  }

  /** The metrics recorded so far, collected when asked. */
  public InMemoryMetricReader metrics() {
    return metrics;
  }

  /** The spans ended so far. */
  public InMemorySpanExporter spans() {
    return spans;
  }

  @Override
  public void close() {
    sdk.close();
  }
}
