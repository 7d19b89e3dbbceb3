package dev.outbox.examples.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark's own database on MySQL and MariaDB. MySQL databases have no comments, so the
 * benchmark marks its database with a one-row table, {@value #MARKER_TABLE}, and only ever drops a
 * database that holds it. A {@code GET_LOCK} lock, taken and released on one connection of its own,
 * keeps two runs from sharing (and dropping) one database. The database also holds {@value
 * #SEQUENCE_TABLE}, the numbers 0 to 9,999, from which the bulk loads generate their rows.
 */
final class MySqlBenchSchema implements SqlBench.OwnedSchema {
  private static final Logger log = LoggerFactory.getLogger(MySqlBenchSchema.class);

  /** The table that marks a database as the benchmark's own. */
  static final String MARKER_TABLE = "outbox_bench_marker";

  /** The numbers 0 to {@value #SEQUENCE_SIZE} - 1, for bulk loads. */
  static final String SEQUENCE_TABLE = "outbox_bench_seq";

  /** Rows of {@value #SEQUENCE_TABLE}; its square bounds one bulk load. */
  static final int SEQUENCE_SIZE = 10_000;

  private static final String HAS_TABLE =
      "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?";

  private static final String HAS_DATABASE =
      "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?";

  private final String database;
  private final DataSource admin;
  private final Connection lockHolder;

  private MySqlBenchSchema(String database, DataSource admin, Connection lockHolder) {
    this.database = database;
    this.admin = admin;
    this.lockHolder = lockHolder;
  }

  /**
   * Locks the database name, drops an earlier benchmark database of that name and creates it
   * afresh, with its marker and sequence tables.
   *
   * @throws IllegalStateException if another run holds the name, or a database of that name exists
   *     that the benchmark did not make
   */
  static MySqlBenchSchema create(String jdbcUrl, String database, DataSource admin)
      throws SQLException {
    Connection lockHolder = DriverManager.getConnection(jdbcUrl);
    MySqlBenchSchema s = new MySqlBenchSchema(database, admin, lockHolder);
    try {
      s.lock();
      s.recreate();
      return s;
    } catch (SQLException | RuntimeException e) {
      s.release();
      throw e;
    }
  }

  private void lock() throws SQLException {
    try (PreparedStatement ps = lockHolder.prepareStatement("SELECT GET_LOCK(?, 0)")) {
      ps.setString(1, "outbox-bench:" + database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getInt(1) != 1) {
          throw new IllegalStateException(
              "another benchmark run is using database '"
                  + database
                  + "'; wait for it or choose another with --schema");
        }
      }
    }
  }

  private void recreate() throws SQLException {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      if (count(c, HAS_DATABASE, database) == 1) {
        if (count(c, HAS_TABLE, database, MARKER_TABLE) != 1) {
          throw new IllegalStateException(
              "database '"
                  + database
                  + "' exists and was not made by the benchmark; choose another with --schema");
        }
        log.info("dropping the benchmark database {} left by an earlier run", database);
        st.execute("DROP DATABASE " + MySqlBench.quote(database));
      }
      st.execute("CREATE DATABASE " + MySqlBench.quote(database));
      st.execute(
          "CREATE TABLE "
              + qualified(MARKER_TABLE)
              + " (note VARCHAR(100) NOT NULL) ENGINE = InnoDB");
      st.execute(
          "INSERT INTO "
              + qualified(MARKER_TABLE)
              + " VALUES ('scratch database of the JDBC Outbox benchmark; safe to drop')");
      st.execute(
          "CREATE TABLE " + qualified(SEQUENCE_TABLE) + " (i INT PRIMARY KEY) ENGINE = InnoDB");
      fillSequence(st);
    }
  }

  private void fillSequence(Statement st) throws SQLException {
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < SEQUENCE_SIZE; i++) {
      values.append(i == 0 ? "(" : ", (").append(i).append(')');
    }
    st.execute("INSERT INTO " + qualified(SEQUENCE_TABLE) + " VALUES " + values);
  }

  private String qualified(String table) {
    return MySqlBench.quote(database) + '.' + MySqlBench.quote(table);
  }

  private static int count(Connection c, String sql, String... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Drops the database and releases the lock. */
  @Override
  public void close() {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + MySqlBench.quote(database));
    } catch (SQLException e) {
      log.warn(
          "could not drop the benchmark database {}: {}; drop it by hand",
          database,
          e.getMessage());
    } finally {
      release();
    }
  }

  /** Closing the session releases its GET_LOCK lock. */
  private void release() {
    try {
      lockHolder.close();
    } catch (SQLException e) {
      log.warn("could not close the benchmark's lock connection: {}", e.getMessage());
    }
  }
}
