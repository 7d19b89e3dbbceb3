package dev.outbox.postgres;

import dev.outbox.testkit.ConcurrencyContract;
import dev.outbox.testkit.TestDatabase;

class PostgresConcurrencyIT extends ConcurrencyContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
