package dev.outbox.spring;

import dev.outbox.postgres.PostgresTestDatabase;
import org.junit.jupiter.api.BeforeAll;

/** JPA and JdbcTemplate beside the enlist on PostgreSQL. */
class PostgresJpaTransactionalOutboxIT extends JpaTransactionalOutboxITSupport {
  @BeforeAll
  static void start() {
    open(PostgresTestDatabase.create(), "spring.datasource.hikari.schema");
  }
}
