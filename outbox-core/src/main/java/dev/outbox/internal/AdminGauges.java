package dev.outbox.internal;

import dev.outbox.OutboxTables;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin's gauges: paused topics, and the backlog totals read with the same query as the
 * overview's (and the relay's backlog gauges), keyed by table rather than by relay.
 */
public final class AdminGauges implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminGauges.class);

  /** The attribute naming the outbox table a gauge describes. */
  static final AttributeKey<String> TABLE = AttributeKey.stringKey("outbox.table");

  private final BatchCallback callback;

  private AdminGauges(BatchCallback callback) {
    this.callback = callback;
  }

  /** Registers the gauges; {@link #close()} removes them. */
  public static AdminGauges register(
      OpenTelemetry openTelemetry,
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      Clock clock) {
    Meter meter = openTelemetry.getMeter(RelayMetrics.SCOPE);
    ObservableLongMeasurement paused =
        meter
            .gaugeBuilder("outbox.topics.paused")
            .setDescription("Paused topics (a pause of every topic counts as one)")
            .setUnit("{topic}")
            .ofLongs()
            .buildObserver();
    BacklogGauges.Instruments backlog = BacklogGauges.Instruments.create(meter);
    String name = (tables.schema() == null ? "" : tables.schema() + ".") + tables.table();
    Attributes attributes = Attributes.of(TABLE, name);
    Runnable observe =
        () -> {
          try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
              c.setAutoCommit(true);
            }
            Set<String> topics = dialect.admin().pausedTopics(c, tables);
            BacklogStats stats = dialect.backlog(c, tables);
            paused.record(topics.size(), attributes);
            backlog.record(stats, clock.instant(), attributes);
          } catch (SQLException | RuntimeException e) {
            log.debug("outbox admin: could not read gauges of {}: {}", name, e.toString());
          }
        };
    return new AdminGauges(backlog.register(meter, observe, paused));
  }

  @Override
  public void close() {
    callback.close();
  }
}
