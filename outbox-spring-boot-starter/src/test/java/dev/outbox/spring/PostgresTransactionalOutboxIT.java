package dev.outbox.spring;

import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The starter on PostgreSQL. */
class PostgresTransactionalOutboxIT extends TransactionalOutboxITSupport {
  private static final PostgresTestDatabase DB =
      TestDatabaseHolder.keep(PostgresTestDatabase.create());

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    register(DB, registry);
  }

  @Override
  TestDatabase db() {
    return DB;
  }
}
