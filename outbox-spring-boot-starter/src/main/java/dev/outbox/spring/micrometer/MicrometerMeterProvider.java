package dev.outbox.spring.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.DoubleGaugeBuilder;
import io.opentelemetry.api.metrics.DoubleHistogramBuilder;
import io.opentelemetry.api.metrics.LongCounterBuilder;
import io.opentelemetry.api.metrics.LongUpDownCounterBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableMeasurement;
import java.util.ArrayList;
import java.util.List;

/** One {@link Meter} over a {@link MeterRegistry}, whatever the scope asked for. */
final class MicrometerMeterProvider implements MeterProvider {
  /** Gives the instruments that are not bridged. */
  static final Meter NOOP = MeterProvider.noop().get("dev.outbox");

  private final Meter meter;

  MicrometerMeterProvider(MeterRegistry registry) {
    this.meter = new BridgedMeter(registry, new Observations());
  }

  @Override
  public MeterBuilder meterBuilder(String instrumentationScopeName) {
    return new MeterBuilder() {
      @Override
      public MeterBuilder setSchemaUrl(String schemaUrl) {
        return this;
      }

      @Override
      public MeterBuilder setInstrumentationVersion(String version) {
        return this;
      }

      @Override
      public Meter build() {
        return meter;
      }
    };
  }

  /** Creates the bridged instruments. */
  private record BridgedMeter(MeterRegistry registry, Observations observations) implements Meter {
    @Override
    public LongCounterBuilder counterBuilder(String name) {
      return new Instruments.CounterBuilder(registry, name);
    }

    @Override
    public LongUpDownCounterBuilder upDownCounterBuilder(String name) {
      return NOOP.upDownCounterBuilder(name);
    }

    @Override
    public DoubleHistogramBuilder histogramBuilder(String name) {
      return new Instruments.HistogramBuilder(registry, name);
    }

    @Override
    public DoubleGaugeBuilder gaugeBuilder(String name) {
      return new Gauges.DoubleBuilder(new Gauges.Spec(registry, observations, name));
    }

    @Override
    public BatchCallback batchCallback(
        Runnable callback, ObservableMeasurement first, ObservableMeasurement... more) {
      List<Gauges.ObservedGauge> gauges = new ArrayList<>();
      gauges.add(Gauges.bridged(first));
      for (ObservableMeasurement m : more) {
        gauges.add(Gauges.bridged(m));
      }
      Observations.Callback registered = observations.register(callback, gauges);
      return new BatchCallback() {
        @Override
        public void close() {
          registered.close();
        }
      };
    }
  }
}
