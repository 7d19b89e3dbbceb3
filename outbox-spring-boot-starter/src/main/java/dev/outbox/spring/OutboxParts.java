package dev.outbox.spring;

import dev.outbox.Backoff;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionMaintenance;
import dev.outbox.PayloadCodec;
import dev.outbox.Sender;
import dev.outbox.spi.OutboxDialect;
import javax.sql.DataSource;

/**
 * Builds an outbox's parts from its {@link OutboxSettings}, whose properties are under {@code
 * prefix} ({@code outbox}, or {@code outbox.instances.NAME}): a value the core refuses becomes an
 * {@link InvalidOutboxPropertyException} naming the property. Shared by the single outbox's
 * auto-configuration and the several outboxes' registrar.
 */
final class OutboxParts {
  private OutboxParts() {}

  static OutboxTables tables(OutboxSettings s, String prefix) {
    return InvalidOutboxPropertyException.naming(
        prefix, () -> new OutboxTables(s.getSchema(), s.getTable()));
  }

  /**
   * The outbox of {@code s}, enlisting through {@code codec} (null: typed enlists are refused);
   * {@code idempotency.*} and {@code max-payload-bytes} are checked here.
   */
  static TransactionalOutbox outbox(
      OutboxSettings s,
      String prefix,
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      PayloadCodec<Object> codec,
      LocalRelays relays,
      OutboxTelemetry telemetry) {
    OutboxSettings.Idempotency idempotency = s.getIdempotency();
    JdbcOutbox.Builder b =
        InvalidOutboxPropertyException.naming(
            prefix + ".idempotency", // the window's message starts with "window"
            () ->
                JdbcOutbox.builder(dialect)
                    .idempotencyWindow(idempotency.getWindow())
                    .onDuplicate(idempotency.getOnDuplicate()));
    b.tables(tables).maxPayloadBytes(s.getMaxPayloadBytes());
    if (codec != null) {
      b.payloadCodec(codec);
    }
    telemetry.openTelemetry().ifPresent(b::openTelemetry);
    return new TransactionalOutbox(
        InvalidOutboxPropertyException.naming(prefix, b::build), dataSource, relays);
  }

  static OutboxRelayLifecycle relay(
      OutboxSettings.Relay r,
      String prefix,
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      Sender sender,
      LocalRelays relays,
      OutboxTelemetry telemetry) {
    String relayPrefix = prefix + ".relay";
    Backoff backoff =
        InvalidOutboxPropertyException.naming(
            relayPrefix, // its messages start with "backoff"
            () -> Backoff.exponential(r.getBackoff().getInitial(), r.getBackoff().getMax()));
    OutboxRelay.Builder b =
        OutboxRelay.builder(dataSource, dialect, sender)
            .tables(tables)
            .name(r.getName())
            .batchSize(r.getBatchSize())
            .maxBatchesInFlight(r.getMaxBatchesInFlight())
            .pollInterval(r.getPollInterval())
            .linger(r.getLinger())
            .leaseDuration(r.getLeaseDuration())
            .sendTimeout(r.getSendTimeout())
            .maxAttempts(r.getMaxAttempts())
            .warnAfterAttempts(r.getWarnAfterAttempts())
            .ordering(r.getOrdering())
            .shutdownTimeout(r.getShutdownTimeout())
            .brokerPause(r.getBrokerPause(), r.getMaxBrokerPause())
            .backoff(backoff);
    if (r.isRetryForever()) {
      b.retryForever();
    }
    telemetry.openTelemetry().ifPresent(b::openTelemetry);
    return new OutboxRelayLifecycle(
        InvalidOutboxPropertyException.naming(relayPrefix, b::build), relays);
  }

  static PartitionMaintenanceLifecycle partitions(
      OutboxSettings.Partitions p,
      String prefix,
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      OutboxTelemetry telemetry) {
    PartitionMaintenance.Builder b =
        PartitionMaintenance.builder(dataSource, dialect)
            .tables(tables)
            .name(p.getName())
            .interval(p.getInterval())
            .partitionsAhead(p.getPartitionsAhead())
            .retention(p.getRetention())
            .runPeriod(p.getRunPeriod())
            .lockTimeout(p.getLockTimeout());
    telemetry.openTelemetry().ifPresent(b::openTelemetry);
    return new PartitionMaintenanceLifecycle(
        InvalidOutboxPropertyException.naming(prefix + ".partitions", b::build));
  }
}
