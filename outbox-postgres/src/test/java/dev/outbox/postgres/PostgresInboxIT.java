package dev.outbox.postgres;

import dev.outbox.testkit.InboxContract;
import dev.outbox.testkit.TestDatabase;

class PostgresInboxIT extends InboxContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
