package dev.outbox.spring;

import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.testkit.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The starter on MariaDB (or MySQL), where no NOTIFY exists: the after-commit wake-up matters. */
class MariaDbTransactionalOutboxIT extends TransactionalOutboxITSupport {
  private static final MySqlTestDatabase DB = TestDatabaseHolder.keep(MySqlTestDatabase.create());

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    register(DB, registry);
  }

  @Override
  TestDatabase db() {
    return DB;
  }
}
