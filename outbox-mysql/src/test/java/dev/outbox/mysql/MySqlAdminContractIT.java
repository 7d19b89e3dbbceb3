package dev.outbox.mysql;

import dev.outbox.testkit.AdminContract;
import dev.outbox.testkit.TestDatabase;

class MySqlAdminContractIT extends AdminContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
