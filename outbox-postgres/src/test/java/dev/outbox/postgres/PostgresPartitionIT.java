package dev.outbox.postgres;

import dev.outbox.testkit.PartitionContract;
import dev.outbox.testkit.TestDatabase;

class PostgresPartitionIT extends PartitionContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
