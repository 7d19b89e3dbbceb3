package dev.outbox.spring;

import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.testkit.TestDatabase;

/** Boot's Flyway beside the outbox on MariaDB (or MySQL). */
class MariaDbApplicationFlywayIT extends ApplicationFlywayITSupport {
  @Override
  TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
