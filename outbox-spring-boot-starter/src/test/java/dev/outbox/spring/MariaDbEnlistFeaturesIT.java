package dev.outbox.spring;

import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;

/** Idempotent and typed enlists and the inbox through the starter, on MariaDB (or MySQL). */
class MariaDbEnlistFeaturesIT extends EnlistFeaturesITSupport {
  private static final MySqlTestDatabase DB = MySqlTestDatabase.create();

  @AfterAll
  static void closeDatabase() {
    DB.close();
  }

  @Override
  TestDatabase db() {
    return DB;
  }
}
