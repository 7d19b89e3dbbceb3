package dev.outbox.mysql;

import dev.outbox.testkit.EnlistContract;
import dev.outbox.testkit.TestDatabase;

class MySqlEnlistIT extends EnlistContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
