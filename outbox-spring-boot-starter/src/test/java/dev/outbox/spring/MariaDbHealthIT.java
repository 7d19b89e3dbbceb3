package dev.outbox.spring;

import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.testkit.TestDatabase;

/** The health indicator on MariaDB (or MySQL). */
class MariaDbHealthIT extends HealthITSupport {
  @Override
  TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }
}
