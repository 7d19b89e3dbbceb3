package dev.outbox.mysql;

import dev.outbox.testkit.ScheduledContract;
import dev.outbox.testkit.TestDatabase;

class MySqlScheduledIT extends ScheduledContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
