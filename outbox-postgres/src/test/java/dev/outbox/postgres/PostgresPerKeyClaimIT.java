package dev.outbox.postgres;

import dev.outbox.testkit.PerKeyClaimContract;
import dev.outbox.testkit.TestDatabase;

class PostgresPerKeyClaimIT extends PerKeyClaimContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
