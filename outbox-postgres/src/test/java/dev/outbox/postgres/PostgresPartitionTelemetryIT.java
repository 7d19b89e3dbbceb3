package dev.outbox.postgres;

import dev.outbox.testkit.PartitionTelemetryContract;
import dev.outbox.testkit.TestDatabase;

class PostgresPartitionTelemetryIT extends PartitionTelemetryContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
