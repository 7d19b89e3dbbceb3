package dev.outbox.mysql;

import dev.outbox.testkit.ConcurrencyContract;
import dev.outbox.testkit.TestDatabase;

class MySqlConcurrencyIT extends ConcurrencyContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
