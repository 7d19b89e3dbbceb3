package dev.outbox.bench;

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
 * The benchmark's own schema (on MySQL and MariaDB: database), made afresh for a run and dropped
 * after it. A lock on the name, taken and released on one connection of its own (not a pooled one,
 * so the session that took it releases it), keeps two runs from sharing (and dropping) one schema;
 * each database marks the schema as the benchmark's, so that one it did not make is never dropped.
 */
abstract class ScratchSchema implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScratchSchema.class);

  /** "schema" or "database", for messages. */
  private final String kind;

  /** The schema's name, a validated plain identifier. */
  final String name;

  /** Where the schema is made and dropped. */
  final DataSource admin;

  private final Connection lockHolder;

  ScratchSchema(String kind, String jdbcUrl, String name, DataSource admin) throws SQLException {
    this.kind = kind;
    this.name = name;
    this.admin = admin;
    this.lockHolder = DriverManager.getConnection(jdbcUrl);
  }

  /**
   * Locks the name of {@code s}, drops an earlier benchmark schema of that name and creates it
   * afresh.
   *
   * @throws IllegalStateException if another run holds the name, or a schema of that name exists
   *     that the benchmark did not make
   */
  static <S extends ScratchSchema> S open(S s) throws SQLException {
    ScratchSchema schema = s;
    try {
      schema.lock();
      schema.recreate();
      return s;
    } catch (SQLException | RuntimeException e) {
      schema.release();
      throw e;
    }
  }

  /** A query of one {@code ?}, the lock's name, that returns whether the lock was taken. */
  abstract String tryLockSql();

  /**
   * Drops an earlier benchmark schema of this name, refusing one the benchmark did not make, and
   * creates and marks it afresh.
   */
  abstract void recreate() throws SQLException;

  /** The statement that drops the schema and everything in it, if it exists. */
  abstract String dropSql();

  private void lock() throws SQLException {
    try (PreparedStatement ps = lockHolder.prepareStatement(tryLockSql())) {
      ps.setString(1, "outbox-bench:" + name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          throw new IllegalStateException(
              "another benchmark run is using "
                  + kind
                  + " '"
                  + name
                  + "'; wait for it or choose another with --schema");
        }
      }
    }
  }

  /** The refusal to drop a schema of this name that the benchmark did not make. */
  final IllegalStateException notOurs() {
    return new IllegalStateException(
        kind
            + " '"
            + name
            + "' exists and was not made by the benchmark; choose another with --schema");
  }

  /** Logs that an earlier run's schema is dropped. */
  final void droppingEarlier() {
    log.info("dropping the benchmark {} {} left by an earlier run", kind, name);
  }

  /** Drops the schema and releases the lock. */
  @Override
  public final void close() {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      st.execute(dropSql());
    } catch (SQLException e) {
      log.warn(
          "could not drop the benchmark {} {}: {}; drop it by hand", kind, name, e.getMessage());
    } finally {
      release();
    }
  }

  /** Closing the session releases its lock. */
  private void release() {
    try {
      lockHolder.close();
    } catch (SQLException e) {
      log.warn("could not close the benchmark's lock connection: {}", e.getMessage());
    }
  }
}
