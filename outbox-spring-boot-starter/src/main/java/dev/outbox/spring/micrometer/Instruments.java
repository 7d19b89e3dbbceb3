package dev.outbox.spring.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounterBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.DoubleHistogramBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongCounterBuilder;
import io.opentelemetry.api.metrics.LongHistogramBuilder;
import io.opentelemetry.api.metrics.ObservableLongCounter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

/** The bridged counters and histograms, and what they share. */
final class Instruments {
  /** OpenTelemetry's unit of seconds, which makes a histogram a Timer. */
  static final String SECONDS = "s";

  private Instruments() {}

  /** The attributes as tags. */
  static Tags tags(Attributes attributes) {
    List<Tag> tags = new ArrayList<>(attributes.size());
    attributes.forEach((key, value) -> tags.add(Tag.of(key.getKey(), String.valueOf(value))));
    return Tags.of(tags);
  }

  /** A UCUM annotation such as {@code {message}} is no unit: Micrometer gets none. */
  static String baseUnit(String unit) {
    return unit == null || unit.startsWith("{") ? null : unit;
  }

  /** A meter per attribute set, created on first use. */
  private static final class PerAttributes<M> {
    private final Map<Attributes, M> meters = new ConcurrentHashMap<>();
    private final Function<Attributes, M> create;

    PerAttributes(Function<Attributes, M> create) {
      this.create = create;
    }

    M get(Attributes attributes) {
      return meters.computeIfAbsent(attributes == null ? Attributes.empty() : attributes, create);
    }
  }

  /** A long counter as a Micrometer {@link Counter}. */
  static final class CounterBuilder extends Described<LongCounterBuilder>
      implements LongCounterBuilder {
    private final MeterRegistry registry;
    private final String name;

    CounterBuilder(MeterRegistry registry, String name) {
      this.registry = registry;
      this.name = name;
    }

    @Override
    LongCounterBuilder self() {
      return this;
    }

    @Override
    public DoubleCounterBuilder ofDoubles() {
      return MicrometerMeterProvider.NOOP.counterBuilder(name).ofDoubles();
    }

    @Override
    public ObservableLongCounter buildWithCallback(Consumer<ObservableLongMeasurement> callback) {
      return MicrometerMeterProvider.NOOP.counterBuilder(name).buildWithCallback(callback);
    }

    @Override
    public LongCounter build() {
      PerAttributes<Counter> counters =
          new PerAttributes<>(
              a ->
                  Counter.builder(name)
                      .description(description)
                      .baseUnit(baseUnit(unit))
                      .tags(tags(a))
                      .register(registry));
      return new LongCounter() {
        @Override
        public void add(long value) {
          add(value, Attributes.empty());
        }

        @Override
        public void add(long value, Attributes attributes) {
          counters.get(attributes).increment(value);
        }

        @Override
        public void add(long value, Attributes attributes, Context context) {
          add(value, attributes);
        }
      };
    }
  }

  /**
   * A histogram as a Micrometer {@link Timer} when its unit is seconds, as a {@link
   * DistributionSummary} otherwise.
   */
  static final class HistogramBuilder extends Described<DoubleHistogramBuilder>
      implements DoubleHistogramBuilder {
    private final MeterRegistry registry;
    private final String name;

    HistogramBuilder(MeterRegistry registry, String name) {
      this.registry = registry;
      this.name = name;
    }

    @Override
    DoubleHistogramBuilder self() {
      return this;
    }

    @Override
    public LongHistogramBuilder ofLongs() {
      return MicrometerMeterProvider.NOOP.histogramBuilder(name).ofLongs();
    }

    @Override
    public DoubleHistogram build() {
      PerAttributes<DoubleConsumer> recorders = new PerAttributes<>(this::recorder);
      return new DoubleHistogram() {
        @Override
        public void record(double value) {
          record(value, Attributes.empty());
        }

        @Override
        public void record(double value, Attributes attributes) {
          recorders.get(attributes).accept(value);
        }

        @Override
        public void record(double value, Attributes attributes, Context context) {
          record(value, attributes);
        }
      };
    }

    private DoubleConsumer recorder(Attributes attributes) {
      if (SECONDS.equals(unit)) {
        Timer timer =
            Timer.builder(name).description(description).tags(tags(attributes)).register(registry);
        return seconds -> timer.record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
      }
      DistributionSummary summary =
          DistributionSummary.builder(name)
              .description(description)
              .baseUnit(baseUnit(unit))
              .tags(tags(attributes))
              .register(registry);
      return summary::record;
    }
  }
}
