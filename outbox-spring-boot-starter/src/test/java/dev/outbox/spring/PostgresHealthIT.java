package dev.outbox.spring;

import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.TestDatabase;

/** The health indicator on PostgreSQL. */
class PostgresHealthIT extends HealthITSupport {
  @Override
  TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
