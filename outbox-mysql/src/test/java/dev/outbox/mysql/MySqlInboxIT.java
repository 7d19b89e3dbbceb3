package dev.outbox.mysql;

import dev.outbox.testkit.InboxContract;
import dev.outbox.testkit.TestDatabase;

class MySqlInboxIT extends InboxContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
