package dev.outbox.postgres;

import dev.outbox.testkit.RelayContract;
import dev.outbox.testkit.TestDatabase;

class PostgresRelayIT extends RelayContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
