package dev.outbox.spring.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import java.util.Objects;

/**
 * An {@link OpenTelemetry} whose metrics are Micrometer meters in a {@link MeterRegistry}, and
 * whose traces and propagators are another {@code OpenTelemetry}'s. It bridges what the outbox
 * records: counters become {@code Counter}s, histograms in seconds become {@code Timer}s (others
 * {@code DistributionSummary}s), and observed gauges become {@code Gauge}s, each with the
 * instrument's name and description and its attributes as tags. Instruments the outbox does not use
 * (up-down counters, counters of doubles, histograms of longs, synchronous gauges) record nothing.
 *
 * <p>A gauge reads its value by running the outbox's callback (a query) at most once a second,
 * whenever the registry reads it; a closed callback's gauges are removed from the registry.
 * Thread-safe.
 */
public final class MicrometerOpenTelemetry implements OpenTelemetry {
  private final OpenTelemetry traces;
  private final MeterProvider meters;

  /**
   * @param registry where the meters are registered
   * @param traces gives the tracer provider and the propagators
   */
  public MicrometerOpenTelemetry(MeterRegistry registry, OpenTelemetry traces) {
    this.meters = new MicrometerMeterProvider(Objects.requireNonNull(registry, "registry"));
    this.traces = Objects.requireNonNull(traces, "traces");
  }

  @Override
  public MeterProvider getMeterProvider() {
    return meters;
  }

  @Override
  public TracerProvider getTracerProvider() {
    return traces.getTracerProvider();
  }

  @Override
  public ContextPropagators getPropagators() {
    return traces.getPropagators();
  }
}
