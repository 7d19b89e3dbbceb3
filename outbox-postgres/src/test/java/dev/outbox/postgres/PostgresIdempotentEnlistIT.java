package dev.outbox.postgres;

import dev.outbox.testkit.IdempotentEnlistContract;
import dev.outbox.testkit.TestDatabase;

class PostgresIdempotentEnlistIT extends IdempotentEnlistContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
