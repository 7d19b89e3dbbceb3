package dev.outbox.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The benchmark's own schema on PostgreSQL: marked with a comment, and held with a session advisory
 * lock for the whole run (see {@link ScratchSchema}).
 */
final class PostgresBenchSchema extends ScratchSchema {
  /** The comment that marks a schema as the benchmark's own. */
  static final String MARKER = "scratch schema of the JDBC Outbox benchmark; safe to drop";

  private static final String SCHEMA_COMMENT =
      "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ?";

  private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext(?))";

  private PostgresBenchSchema(String jdbcUrl, String schema, DataSource admin) throws SQLException {
    super("schema", jdbcUrl, schema, admin);
  }

  /**
   * Locks the schema name, drops an earlier benchmark schema of that name and creates it afresh.
   *
   * @throws IllegalStateException if another run holds the schema, or a schema of that name exists
   *     that the benchmark did not make
   */
  static PostgresBenchSchema create(String jdbcUrl, String schema, DataSource admin)
      throws SQLException {
    return open(new PostgresBenchSchema(jdbcUrl, schema, admin));
  }

  @Override
  String tryLockSql() {
    return TRY_LOCK;
  }

  @Override
  void recreate() throws SQLException {
    try (Connection c = admin.getConnection()) {
      String comment = comment(c);
      if (comment != null && !MARKER.equals(comment)) {
        throw notOurs();
      }
      try (Statement st = c.createStatement()) {
        if (comment != null) {
          droppingEarlier();
          st.execute("DROP SCHEMA " + PostgresBench.quote(name) + " CASCADE");
        }
        st.execute("CREATE SCHEMA " + PostgresBench.quote(name));
        st.execute("COMMENT ON SCHEMA " + PostgresBench.quote(name) + " IS '" + MARKER + "'");
      }
    }
  }

  /** The schema's comment, "" when it has none, null when there is no such schema. */
  private String comment(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SCHEMA_COMMENT)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        String comment = rs.getString(1);
        return comment == null ? "" : comment;
      }
    }
  }

  @Override
  String dropSql() {
    return "DROP SCHEMA IF EXISTS " + PostgresBench.quote(name) + " CASCADE";
  }
}
