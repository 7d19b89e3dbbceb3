package dev.outbox.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.MigrationFailedException;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.mysql.MySqlDialect;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code OutboxMigrations.migrate} with the dialect of another database fails before it writes
 * anything: no schema or database is created, no history table, no half-migrated tables.
 */
class MigrationDatabaseCheckIT {

  private static String freshName() {
    return "outbox_wrong_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @Test
  void thePostgresDialectRefusesAMySqlOrMariaDbDatabaseBeforeWriting() throws Exception {
    String database = freshName();
    try (HikariDataSource mysql = pool(TestMySql.jdbcUrl())) {
      assertThatThrownBy(
              () -> OutboxMigrations.migrate(mysql, new PostgresDialect(), tables(database)))
          .isInstanceOf(MigrationFailedException.class)
          .hasMessageContaining("the postgresql dialect cannot migrate a ")
          .hasMessageContaining("nothing was changed");
      assertThat(schemaExists(mysql, database)).as("no database created").isFalse();
    }
  }

  @Test
  void theMySqlDialectRefusesAPostgresDatabaseBeforeWriting() throws Exception {
    String schema = freshName();
    try (TestPostgres pg = TestPostgres.create();
        HikariDataSource postgres = pool(pg.jdbcUrl())) {
      assertThatThrownBy(
              () -> OutboxMigrations.migrate(postgres, new MySqlDialect(), tables(schema)))
          .isInstanceOf(MigrationFailedException.class)
          .hasMessageContaining("the mysql dialect cannot migrate a PostgreSQL ");
      assertThat(schemaExists(postgres, schema)).as("no schema created").isFalse();
    }
  }

  private static OutboxTables tables(String schema) {
    return new OutboxTables(schema, OutboxTables.DEFAULT_TABLE);
  }

  private static HikariDataSource pool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    config.setPoolName("migration-check");
    return new HikariDataSource(config);
  }

  private static boolean schemaExists(HikariDataSource ds, String name) throws Exception {
    try (Connection c = ds.getConnection();
        ResultSet rs = c.getMetaData().getSchemas(null, name)) {
      if (rs.next()) {
        return true;
      }
    }
    try (Connection c = ds.getConnection();
        ResultSet rs = c.getMetaData().getCatalogs()) {
      while (rs.next()) {
        if (name.equals(rs.getString(1))) {
          return true;
        }
      }
    }
    return false;
  }
}
