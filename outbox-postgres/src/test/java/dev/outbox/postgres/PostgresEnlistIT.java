package dev.outbox.postgres;

import dev.outbox.testkit.EnlistContract;
import dev.outbox.testkit.TestDatabase;

class PostgresEnlistIT extends EnlistContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
