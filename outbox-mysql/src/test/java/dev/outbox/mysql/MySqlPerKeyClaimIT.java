package dev.outbox.mysql;

import dev.outbox.testkit.PerKeyClaimContract;
import dev.outbox.testkit.TestDatabase;

class MySqlPerKeyClaimIT extends PerKeyClaimContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
