package dev.outbox.mysql;

import dev.outbox.testkit.PartitionTelemetryContract;
import dev.outbox.testkit.TestDatabase;

class MySqlPartitionTelemetryIT extends PartitionTelemetryContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
