package dev.outbox.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.testkit.TestServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * PostgreSQL for tests outside this module (the senders', the demo's, the benchmark's): a {@link
 * PostgresTestDatabase} (found as the conformance suite finds it: {@code OUTBOX_TEST_POSTGRES_URL},
 * else the local server, else Testcontainers), a pool on its fresh schema, and the few queries
 * those tests make. {@link #close()} drops the schema. Published in this module's test-jar.
 */
public final class TestPostgres implements AutoCloseable {
  private final PostgresTestDatabase database;
  private final HikariDataSource dataSource;
  private final List<String> extraSchemas = new ArrayList<>();
  private int tables;

  private TestPostgres() {
    this.database = PostgresTestDatabase.create();
    this.dataSource = database.dataSource("outbox-test", 6);
  }

  /** A fresh schema on the test server. */
  public static TestPostgres create() {
    return new TestPostgres();
  }

  /** The server's JDBC URL, user and password included. */
  public String jdbcUrl() {
    return database.jdbcUrl();
  }

  /** The fresh schema. */
  public String schema() {
    return database.schema();
  }

  /** The dialect the schema's outbox tables are migrated with. */
  public OutboxDialect dialect() {
    return database.dialect();
  }

  /**
   * The name of another schema, {@code <schema>_<suffix>}, for code under test to create; {@link
   * #close()} drops it too.
   */
  public synchronized String extraSchema(String suffix) {
    String name = schema() + "_" + suffix;
    extraSchemas.add(name);
    return name;
  }

  /** A pool on the server. */
  public HikariDataSource dataSource() {
    return dataSource;
  }

  /** Migrates a new outbox table in the schema and returns its names. */
  public synchronized OutboxTables newOutboxTable() {
    OutboxTables t = new OutboxTables(schema(), "outbox_" + (++tables));
    OutboxMigrations.migrate(dataSource, dialect(), t);
    return t;
  }

  /** An outbox writing to {@code tables}. */
  public static JdbcOutbox outbox(OutboxTables tables) {
    return JdbcOutbox.builder(new PostgresDialect()).tables(tables).build();
  }

  /** Enlists {@code messages} with {@code outbox} in one committed transaction. */
  public List<UUID> enlist(JdbcOutbox outbox, OutboxMessage... messages) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<UUID> ids = outbox.addAll(c, List.of(messages));
      c.commit();
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException("enlisting failed: " + e.getMessage(), e);
    }
  }

  /** A single long from {@code sql}. */
  public long queryLong(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  /** A single string from {@code sql}, or null. */
  public String queryString(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  /** Closes the pool and drops the schema and the extra schemas. */
  @Override
  public void close() {
    dataSource.close();
    for (String extra : extraSchemas) {
      TestServers.execute(jdbcUrl(), "DROP SCHEMA IF EXISTS " + extra + " CASCADE");
    }
    database.close();
  }
}
