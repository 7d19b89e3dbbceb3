package dev.outbox.mysql;

import dev.outbox.testkit.InFlightContract;
import dev.outbox.testkit.TestDatabase;

class MySqlInFlightIT extends InFlightContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
