package dev.outbox.mysql;

import dev.outbox.testkit.RelayContract;
import dev.outbox.testkit.TestDatabase;

class MySqlRelayIT extends RelayContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
