package dev.outbox.spring;

import dev.outbox.mysql.MySqlTestDatabase;
import org.junit.jupiter.api.BeforeAll;

/** JPA and JdbcTemplate beside the enlist on MariaDB (or MySQL), whose schema is a catalog. */
class MariaDbJpaTransactionalOutboxIT extends JpaTransactionalOutboxITSupport {
  @BeforeAll
  static void start() {
    open(MySqlTestDatabase.create(), "spring.datasource.hikari.catalog");
  }
}
