package dev.outbox.postgres;

import dev.outbox.testkit.ScheduledContract;
import dev.outbox.testkit.TestDatabase;

class PostgresScheduledIT extends ScheduledContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
