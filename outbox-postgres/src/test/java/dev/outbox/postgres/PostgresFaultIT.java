package dev.outbox.postgres;

import dev.outbox.testkit.FaultContract;
import dev.outbox.testkit.TestDatabase;

class PostgresFaultIT extends FaultContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
