package dev.outbox.spring;

import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;

/** Idempotent and typed enlists and the inbox through the starter, on PostgreSQL. */
class PostgresEnlistFeaturesIT extends EnlistFeaturesITSupport {
  private static final PostgresTestDatabase DB = PostgresTestDatabase.create();

  @AfterAll
  static void closeDatabase() {
    DB.close();
  }

  @Override
  TestDatabase db() {
    return DB;
  }
}
