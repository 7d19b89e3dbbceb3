package dev.outbox.spring;

import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.TestDatabase;

/** Graceful shutdown with batches in flight on PostgreSQL. */
class PostgresGracefulShutdownIT extends GracefulShutdownITSupport {
  @Override
  TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }
}
