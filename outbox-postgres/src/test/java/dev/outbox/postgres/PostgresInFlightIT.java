package dev.outbox.postgres;

import dev.outbox.testkit.InFlightContract;
import dev.outbox.testkit.TestDatabase;

class PostgresInFlightIT extends InFlightContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
