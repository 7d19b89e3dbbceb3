package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The minimal hand-rolled outbox a team writes in an afternoon, the baseline that does not share
 * the outbox's table shape: a plain table (a generated id, key, payload, created_at, status,
 * attempts; no UUID, no headers, no partitions), one partial index on the pending ids (an index on
 * status and id on MySQL, which has no partial indexes), producers that do one {@code INSERT (key,
 * payload)} a transaction, and a consumer that in one transaction locks the oldest 100 pending rows
 * with {@code FOR UPDATE SKIP LOCKED}, hands them to the sink, marks them with one {@code UPDATE}
 * and commits.
 */
final class MinimalQueue {
  /** The table's name in the benchmark's schema. */
  static final String TABLE = "minimal_outbox";

  private final HikariDataSource admin;
  private final String table;
  private final String keyColumn;
  private final List<String> create;
  private final String settle;
  private final boolean arrays;

  private MinimalQueue(
      HikariDataSource admin,
      String table,
      String keyColumn,
      List<String> create,
      String settle,
      boolean arrays) {
    this.admin = admin;
    this.table = table;
    this.keyColumn = keyColumn;
    this.create = create;
    this.settle = settle;
    this.arrays = arrays;
  }

  /** PostgreSQL, as the issue that asked for it writes it: bigserial, text, bytea. */
  static MinimalQueue postgres(HikariDataSource admin, String qualifiedTable) {
    return new MinimalQueue(
        admin,
        qualifiedTable,
        "key",
        List.of(
            "DROP TABLE IF EXISTS " + qualifiedTable,
            "CREATE TABLE "
                + qualifiedTable
                + " (id bigserial PRIMARY KEY, key text NOT NULL, payload bytea NOT NULL,"
                + " created_at timestamptz NOT NULL DEFAULT now(),"
                + " status smallint NOT NULL DEFAULT 0, attempts int NOT NULL DEFAULT 0)",
            "CREATE INDEX ON " + qualifiedTable + " (id) WHERE status = 0"),
        "VACUUM ANALYZE " + qualifiedTable,
        true);
  }

  /** MySQL and MariaDB: AUTO_INCREMENT, and an index on (status, id) for want of a partial one. */
  static MinimalQueue mysql(HikariDataSource admin, String qualifiedTable) {
    return new MinimalQueue(
        admin,
        qualifiedTable,
        "msg_key",
        List.of(
            "DROP TABLE IF EXISTS " + qualifiedTable,
            "CREATE TABLE "
                + qualifiedTable
                + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, msg_key VARCHAR(255) NOT NULL,"
                + " payload BLOB NOT NULL,"
                + " created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
                + " status SMALLINT NOT NULL DEFAULT 0, attempts INT NOT NULL DEFAULT 0,"
                + " KEY pending (status, id))"),
        "ANALYZE TABLE " + qualifiedTable,
        false);
  }

  /** Creates the table afresh (empty, analysed). */
  void reset() throws SQLException {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      for (String sql : create) {
        st.execute(sql);
      }
    }
    settle();
  }

  /** Brings the table's statistics up to date, as the harness does for every table. */
  void settle() throws SQLException {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      st.execute(settle);
    }
  }

  /** The producer's statement: one row, in the caller's transaction. */
  void insert(Connection c, String key, byte[] payload) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO " + table + " (" + keyColumn + ", payload) VALUES (?, ?)")) {
      ps.setString(1, key);
      ps.setBytes(2, payload);
      ps.executeUpdate();
    }
  }

  /** Loads {@code n} committed rows, keys {@code key-(i mod keys)}, in batches of 1,000. */
  void load(int n, int keys, BenchContext ctx) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO " + table + " (" + keyColumn + ", payload) VALUES (?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < n; i++) {
        ps.setString(1, "key-" + (i % keys));
        ps.setBytes(2, ctx.payload(i));
        ps.addBatch();
        if ((i + 1) % 1_000 == 0 || i == n - 1) {
          ps.executeBatch();
          c.commit();
        }
      }
      c.setAutoCommit(true);
    }
    settle();
  }

  /**
   * One consumer transaction on {@code c} (not in auto-commit mode): the oldest {@code batch}
   * pending rows locked and read, marked sent with one update, committed.
   *
   * @return how many rows were consumed
   */
  int consume(Connection c, int batch) throws SQLException {
    List<Long> ids = new ArrayList<>(batch);
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, "
                + keyColumn
                + ", payload FROM "
                + table
                + " WHERE status = 0 ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
      ps.setInt(1, batch);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
          rs.getString(2);
          rs.getBytes(3); // the sink: the rows are read, as a consumer hands them on
        }
      }
    }
    if (!ids.isEmpty()) {
      markSent(c, ids);
    }
    c.commit();
    return ids.size();
  }

  private void markSent(Connection c, List<Long> ids) throws SQLException {
    if (arrays) {
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE " + table + " SET status = 1 WHERE id = ANY (?)")) {
        ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
        ps.executeUpdate();
      }
      return;
    }
    StringJoiner in = new StringJoiner(", ", "(", ")");
    ids.forEach(id -> in.add("?"));
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE " + table + " SET status = 1 WHERE id IN " + in)) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setLong(i + 1, ids.get(i));
      }
      ps.executeUpdate();
    }
  }

  /** How many rows have the given status. */
  long count(int status) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT count(*) FROM " + table + " WHERE status = ?")) {
      ps.setInt(1, status);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
