package dev.outbox.postgres;

import dev.outbox.testkit.TelemetryContract;
import dev.outbox.testkit.TestDatabase;

class PostgresTelemetryIT extends TelemetryContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
