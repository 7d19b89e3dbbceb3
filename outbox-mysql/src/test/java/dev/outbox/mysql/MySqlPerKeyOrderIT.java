package dev.outbox.mysql;

import dev.outbox.testkit.PerKeyOrderContract;
import dev.outbox.testkit.TestDatabase;

class MySqlPerKeyOrderIT extends PerKeyOrderContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
