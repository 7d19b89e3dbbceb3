package dev.outbox.postgres;

import dev.outbox.testkit.PerKeyOrderContract;
import dev.outbox.testkit.TestDatabase;

class PostgresPerKeyOrderIT extends PerKeyOrderContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
