package dev.outbox.examples.admin;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.examples.TestMySql;
import dev.outbox.mysql.MySqlDialect;
import dev.outbox.spi.OutboxDialect;
import java.util.UUID;
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
  private final String database =
      "outbox_cli_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private HikariDataSource pool;
  private int tableCount;

  @BeforeAll
  void database() {
    TestMySql.execute("CREATE DATABASE " + database);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestMySql.jdbcUrl());
    config.setMaximumPoolSize(4);
    config.setPoolName("outbox-cli-it");
    pool = new HikariDataSource(config);
  }

  @AfterAll
  void dropDatabase() {
    if (pool != null) {
      pool.close();
    }
    TestMySql.execute("DROP DATABASE IF EXISTS " + database);
  }

  @Override
  protected String cliUrl() {
    return TestMySql.jdbcUrl().replaceFirst("^jdbc:mysql:", "jdbc:mariadb:");
  }

  @Override
  protected DataSource dataSource() {
    return pool;
  }

  @Override
  protected OutboxDialect dialect() {
    return new MySqlDialect();
  }

  @Override
  protected synchronized OutboxTables newTables() {
    OutboxTables t = new OutboxTables(database, "outbox_" + (++tableCount));
    OutboxMigrations.migrate(pool, dialect(), t);
    return t;
  }
}
