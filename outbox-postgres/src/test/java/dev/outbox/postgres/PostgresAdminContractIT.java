package dev.outbox.postgres;

import dev.outbox.testkit.AdminContract;
import dev.outbox.testkit.TestDatabase;

class PostgresAdminContractIT extends AdminContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
