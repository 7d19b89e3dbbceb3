package dev.outbox.cli;

import dev.outbox.OutboxTables;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.spi.OutboxDialect;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The {@code outbox} command on the real PostgreSQL, in a fresh schema. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxCliPostgresIT extends OutboxCliContract {
  private TestPostgres pg;

  @BeforeAll
  void database() {
    pg = TestPostgres.create();
  }

  @AfterAll
  void dropSchema() {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  protected String cliUrl() {
    return pg.jdbcUrl();
  }

  @Override
  protected DataSource dataSource() {
    return pg.dataSource();
  }

  @Override
  protected OutboxDialect dialect() {
    return pg.dialect();
  }

  @Override
  protected OutboxTables newTables() {
    return pg.newOutboxTable();
  }
}
