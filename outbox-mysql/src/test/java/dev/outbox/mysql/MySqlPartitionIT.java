package dev.outbox.mysql;

import dev.outbox.testkit.PartitionContract;
import dev.outbox.testkit.TestDatabase;

class MySqlPartitionIT extends PartitionContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
