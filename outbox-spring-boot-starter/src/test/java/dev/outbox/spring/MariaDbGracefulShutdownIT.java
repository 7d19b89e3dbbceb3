package dev.outbox.spring;

import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.testkit.TestDatabase;

/** Graceful shutdown with batches in flight on MariaDB (or MySQL). */
class MariaDbGracefulShutdownIT extends GracefulShutdownITSupport {
  @Override
  TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
