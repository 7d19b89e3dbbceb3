package dev.outbox.spring;

import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.TestDatabase;

/** Boot's Flyway beside the outbox on PostgreSQL. */
class PostgresApplicationFlywayIT extends ApplicationFlywayITSupport {
  @Override
  TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
