package dev.outbox.mysql;

import dev.outbox.testkit.TelemetryContract;
import dev.outbox.testkit.TestDatabase;

class MySqlTelemetryIT extends TelemetryContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
