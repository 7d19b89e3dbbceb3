package dev.outbox.internal;

import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.metrics.ObservableMeasurement;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges for the backlog, the age of the oldest pending message and the dead-letter count, read
 * with one query each time the metrics are collected. A failed read skips that collection.
 */
public final class BacklogGauges implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BacklogGauges.class);

  private final BatchCallback callback;

  private BacklogGauges(BatchCallback callback) {
    this.callback = callback;
  }

  /** Registers the gauges; {@link #close()} removes them. */
  public static BacklogGauges register(
      OpenTelemetry openTelemetry,
      javax.sql.DataSource dataSource,
      OutboxDialect dialect,
      RelaySettings settings) {
    Meter meter = openTelemetry.getMeter(RelayMetrics.SCOPE);
    Instruments gauges = Instruments.create(meter);
    Attributes attributes = Attributes.of(RelayMetrics.RELAY, settings.name());
    Runnable observe =
        () -> {
          BacklogStats stats = read(dataSource, dialect, settings);
          if (stats != null) {
            gauges.record(stats, settings.clock().instant(), attributes);
          }
        };
    return new BacklogGauges(gauges.register(meter, observe));
  }

  private static BacklogStats read(
      javax.sql.DataSource dataSource, OutboxDialect dialect, RelaySettings settings) {
    try (Connection c = dataSource.getConnection()) {
      return dialect.backlog(c, settings.tables());
    } catch (SQLException | RuntimeException e) {
      log.debug(
          "outbox relay '{}': could not read backlog gauges: {}", settings.name(), e.toString());
      return null;
    }
  }

  /**
   * The three backlog gauges, shared by the relay's (attribute {@code outbox.relay}) and the
   * admin's (attribute {@code outbox.table}) so that both are the same instruments fed from the
   * same query.
   */
  record Instruments(
      ObservableLongMeasurement pending,
      ObservableDoubleMeasurement oldestAge,
      ObservableLongMeasurement deadLetters) {

    static Instruments create(Meter meter) {
      return new Instruments(
          meter
              .gaugeBuilder("outbox.backlog.pending")
              .setDescription("Messages not yet sent: due, leased or waiting for a retry")
              .setUnit("{message}")
              .ofLongs()
              .buildObserver(),
          meter
              .gaugeBuilder("outbox.backlog.oldest_age")
              .setDescription("Age of the oldest message not yet sent (0 when none)")
              .setUnit("s")
              .buildObserver(),
          meter
              .gaugeBuilder("outbox.dead_letters")
              .setDescription("Messages in the dead-letter table")
              .setUnit("{message}")
              .ofLongs()
              .buildObserver());
    }

    /** Records {@code stats} as read at {@code now}. */
    void record(BacklogStats stats, Instant now, Attributes attributes) {
      pending.record(stats.pending(), attributes);
      deadLetters.record(stats.deadLetters(), attributes);
      Instant oldest = stats.oldestPendingCreatedAt();
      double age =
          oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toMillis()) / 1000.0;
      oldestAge.record(age, attributes);
    }

    /** One callback observing these gauges and {@code more}. */
    BatchCallback register(Meter meter, Runnable observe, ObservableMeasurement... more) {
      ObservableMeasurement[] rest = new ObservableMeasurement[more.length + 2];
      rest[0] = oldestAge;
      rest[1] = deadLetters;
      System.arraycopy(more, 0, rest, 2, more.length);
      return meter.batchCallback(observe, pending, rest);
    }
  }

  @Override
  public void close() {
    callback.close();
  }
}
