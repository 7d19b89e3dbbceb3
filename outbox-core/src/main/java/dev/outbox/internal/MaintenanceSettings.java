package dev.outbox.internal;

import dev.outbox.OutboxTables;
import dev.outbox.PartitionInterval;
import java.time.Clock;
import java.time.Duration;

/**
 * A partition maintenance job's validated, immutable configuration; see {@code
 * PartitionMaintenance.Builder} for each one.
 */
public record MaintenanceSettings(
    String name,
    OutboxTables tables,
    PartitionInterval interval,
    int partitionsAhead,
    Duration retention,
    Duration runPeriod,
    Duration lockTimeout,
    long lockKey,
    Clock clock) {

  /** The table as operators write it: {@code schema.table}, or the table alone. */
  public String qualifiedTable() {
    return tables.schema() == null ? tables.table() : tables.schema() + "." + tables.table();
  }
}
