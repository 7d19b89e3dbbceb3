package dev.outbox.mysql;

import dev.outbox.testkit.FaultContract;
import dev.outbox.testkit.TestDatabase;

class MySqlFaultIT extends FaultContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
