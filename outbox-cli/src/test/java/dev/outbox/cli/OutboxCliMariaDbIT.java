package dev.outbox.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.spi.OutboxDialect;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@code outbox} command on the real MariaDB (or MySQL), in a fresh database, given a {@code
 * jdbc:mariadb:} URL: the command picks the MySQL dialect from it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxCliMariaDbIT extends OutboxCliContract {
  private MySqlTestDatabase db;
  private HikariDataSource pool;
  private int tableCount;

  @BeforeAll
  void database() {
    db = MySqlTestDatabase.create();
    pool = db.dataSource(db.jdbcUrl(), "outbox-cli-it", 4);
  }

  @AfterAll
  void dropDatabase() {
    if (pool != null) {
      pool.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Override
  protected String cliUrl() {
    return db.jdbcUrl().replaceFirst("^jdbc:mysql:", "jdbc:mariadb:");
  }

  @Override
  protected DataSource dataSource() {
    return pool;
  }

  @Override
  protected OutboxDialect dialect() {
    return db.dialect();
  }

  @Override
  protected synchronized OutboxTables newTables() {
    OutboxTables t = new OutboxTables(db.schema(), "outbox_" + (++tableCount));
    OutboxMigrations.migrate(pool, dialect(), t);
    return t;
  }
}
