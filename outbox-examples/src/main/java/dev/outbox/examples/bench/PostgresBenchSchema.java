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
 * The benchmark's own schema on PostgreSQL. It is marked with a comment, so that only a schema the
 * benchmark made is ever dropped, and held with a session advisory lock for the whole run, so that
 * two runs never share (and drop) one schema.
 */
final class PostgresBenchSchema implements SqlBench.OwnedSchema {
  private static final Logger log = LoggerFactory.getLogger(PostgresBenchSchema.class);

  /** The comment that marks a schema as the benchmark's own. */
  static final String MARKER = "scratch schema of the JDBC Outbox benchmark; safe to drop";

  private static final String SCHEMA_COMMENT =
      "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ?";

  private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext(?))";

  private final String schema;
  private final DataSource admin;
  private final Connection lockHolder;

  private PostgresBenchSchema(String schema, DataSource admin, Connection lockHolder) {
    this.schema = schema;
    this.admin = admin;
    this.lockHolder = lockHolder;
  }

  /**
   * Locks the schema name, drops an earlier benchmark schema of that name and creates it afresh.
   *
   * @throws IllegalStateException if another run holds the schema, or a schema of that name exists
   *     that the benchmark did not make
   */
  static PostgresBenchSchema create(String jdbcUrl, String schema, DataSource admin)
      throws SQLException {
    // The lock lives on a connection of its own, not a pooled one, so it is released by the same
    // session that took it.
    Connection lockHolder = DriverManager.getConnection(jdbcUrl);
    PostgresBenchSchema s = new PostgresBenchSchema(schema, admin, lockHolder);
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
    try (PreparedStatement ps = lockHolder.prepareStatement(TRY_LOCK)) {
      ps.setString(1, "outbox-bench:" + schema);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          throw new IllegalStateException(
              "another benchmark run is using schema '"
                  + schema
                  + "'; wait for it or choose another with --schema");
        }
      }
    }
  }

  private void recreate() throws SQLException {
    try (Connection c = admin.getConnection()) {
      String comment = comment(c);
      if (comment != null && !MARKER.equals(comment)) {
        throw new IllegalStateException(
            "schema '"
                + schema
                + "' exists and was not made by the benchmark; choose another with --schema");
      }
      try (Statement st = c.createStatement()) {
        if (comment != null) {
          log.info("dropping the benchmark schema {} left by an earlier run", schema);
          st.execute("DROP SCHEMA " + PostgresBench.quote(schema) + " CASCADE");
        }
        st.execute("CREATE SCHEMA " + PostgresBench.quote(schema));
        st.execute("COMMENT ON SCHEMA " + PostgresBench.quote(schema) + " IS '" + MARKER + "'");
      }
    }
  }

  /** The schema's comment, "" when it has none, null when there is no such schema. */
  private String comment(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SCHEMA_COMMENT)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        String comment = rs.getString(1);
        return comment == null ? "" : comment;
      }
    }
  }

  /** Drops the schema and releases the lock. */
  @Override
  public void close() {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + PostgresBench.quote(schema) + " CASCADE");
    } catch (SQLException e) {
      log.warn(
          "could not drop the benchmark schema {}: {}; drop it by hand", schema, e.getMessage());
    } finally {
      release();
    }
  }

  /** Closing the session releases its advisory lock. */
  private void release() {
    try {
      lockHolder.close();
    } catch (SQLException e) {
      log.warn("could not close the benchmark's lock connection: {}", e.getMessage());
    }
  }
}
