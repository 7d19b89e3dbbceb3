package dev.outbox.mysql;

import dev.outbox.testkit.IdempotentEnlistContract;
import dev.outbox.testkit.TestDatabase;

class MySqlIdempotentEnlistIT extends IdempotentEnlistContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
