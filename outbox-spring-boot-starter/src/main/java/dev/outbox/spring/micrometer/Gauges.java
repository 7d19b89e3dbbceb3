package dev.outbox.spring.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleGaugeBuilder;
import io.opentelemetry.api.metrics.LongGaugeBuilder;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.metrics.ObservableMeasurement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The bridged observed gauges: a Micrometer {@link Gauge} per attribute set recorded. */
final class Gauges {
  private Gauges() {}

  /** A gauge whose {@code callback} records it, registered with the observations. */
  private static Observations.Callback observe(
      Spec spec, String description, String unit, Consumer<? super ObservedGauge> callback) {
    ObservedGauge g = new ObservedGauge(spec, description, unit);
    return spec.observations().register(() -> callback.accept(g), List.of(g));
  }

  /** What a gauge is registered with. */
  record Spec(MeterRegistry registry, Observations observations, String name) {}

  /** {@code m}, which a bridged meter created. */
  static ObservedGauge bridged(ObservableMeasurement m) {
    if (m instanceof ObservedGauge g) {
      return g;
    }
    throw new IllegalArgumentException(
        "the measurement " + m + " was not created by the Micrometer bridge's meter");
  }

  /**
   * Holds the last value recorded for each attribute set, which its Micrometer gauge reads after
   * asking the observations to run the callbacks again (at most once a second).
   */
  static final class ObservedGauge
      implements ObservableDoubleMeasurement, ObservableLongMeasurement {
    private final Spec spec;
    private final String description;
    private final String unit;
    private final Map<Attributes, Value> values = new ConcurrentHashMap<>();

    ObservedGauge(Spec spec, String description, String unit) {
      this.spec = spec;
      this.description = description;
      this.unit = unit;
    }

    @Override
    public void record(double value) {
      record(value, Attributes.empty());
    }

    @Override
    public void record(double value, Attributes attributes) {
      values.computeIfAbsent(attributes, this::register).value = value;
    }

    @Override
    public void record(long value) {
      record((double) value, Attributes.empty());
    }

    @Override
    public void record(long value, Attributes attributes) {
      record((double) value, attributes);
    }

    private Value register(Attributes attributes) {
      Value v = new Value();
      v.gauge =
          Gauge.builder(spec.name(), v, this::read)
              .description(description)
              .baseUnit(Instruments.baseUnit(unit))
              .tags(Instruments.tags(attributes))
              .register(spec.registry());
      return v;
    }

    private double read(Value v) {
      spec.observations().refresh();
      return v.value;
    }

    /** Removes this gauge's meters from the registry. */
    void remove() {
      values.values().forEach(v -> spec.registry().remove(v.gauge));
      values.clear();
    }
  }

  /** The last value of one attribute set, and its meter. */
  private static final class Value {
    volatile double value = Double.NaN;
    Gauge gauge;
  }

  /** A gauge of doubles. */
  static final class DoubleBuilder extends Described<DoubleGaugeBuilder>
      implements DoubleGaugeBuilder {
    private final Spec spec;

    DoubleBuilder(Spec spec) {
      this.spec = spec;
    }

    @Override
    DoubleGaugeBuilder self() {
      return this;
    }

    @Override
    public LongGaugeBuilder ofLongs() {
      return new LongBuilder(spec, description, unit);
    }

    @Override
    public ObservableDoubleMeasurement buildObserver() {
      return new ObservedGauge(spec, description, unit);
    }

    @Override
    public ObservableDoubleGauge buildWithCallback(Consumer<ObservableDoubleMeasurement> callback) {
      Observations.Callback c = observe(spec, description, unit, callback);
      return new ObservableDoubleGauge() {
        @Override
        public void close() {
          c.close();
        }
      };
    }
  }

  /** A gauge of longs. */
  static final class LongBuilder extends Described<LongGaugeBuilder> implements LongGaugeBuilder {
    private final Spec spec;

    LongBuilder(Spec spec, String description, String unit) {
      super(description, unit);
      this.spec = spec;
    }

    @Override
    LongGaugeBuilder self() {
      return this;
    }

    @Override
    public ObservableLongMeasurement buildObserver() {
      return new ObservedGauge(spec, description, unit);
    }

    @Override
    public ObservableLongGauge buildWithCallback(Consumer<ObservableLongMeasurement> callback) {
      Observations.Callback c = observe(spec, description, unit, callback);
      return new ObservableLongGauge() {
        @Override
        public void close() {
          c.close();
        }
      };
    }
  }
}
