package dev.outbox.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The benchmark's own database on MySQL and MariaDB (see {@link ScratchSchema}). MySQL databases
 * have no comments, so the benchmark marks its database with a one-row table, {@value
 * #MARKER_TABLE}, and only ever drops a database that holds it. The lock is a {@code GET_LOCK}
 * lock. The database also holds {@value #SEQUENCE_TABLE}, the numbers 0 to 9,999, from which the
 * bulk loads generate their rows.
 */
final class MySqlBenchSchema extends ScratchSchema {
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

  private MySqlBenchSchema(String jdbcUrl, String database, DataSource admin) throws SQLException {
    super("database", jdbcUrl, database, admin);
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
    return open(new MySqlBenchSchema(jdbcUrl, database, admin));
  }

  @Override
  String tryLockSql() {
    return "SELECT GET_LOCK(?, 0)";
  }

  @Override
  void recreate() throws SQLException {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      if (count(c, HAS_DATABASE, name) == 1) {
        if (count(c, HAS_TABLE, name, MARKER_TABLE) != 1) {
          throw notOurs();
        }
        droppingEarlier();
        st.execute("DROP DATABASE " + MySqlBench.quote(name));
      }
      st.execute("CREATE DATABASE " + MySqlBench.quote(name));
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
    return MySqlBench.quote(name) + '.' + MySqlBench.quote(table);
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

  @Override
  String dropSql() {
    return "DROP DATABASE IF EXISTS " + MySqlBench.quote(name);
  }
}
