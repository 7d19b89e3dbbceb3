package dev.outbox.mysql;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The partition maintenance lock: {@code GET_LOCK(name, 0)}, a session lock that does not wait,
 * taken and released on one connection, and released by the server if that session ends, so it
 * cannot outlive a run even on a connection that goes back to a pool without {@code RELEASE_LOCK}.
 * It is not transactional: the lock connection stays in auto-commit mode.
 */
final class MaintenanceLock {
  private MaintenanceLock() {}

  /** Longest lock name MySQL accepts (MariaDB accepts longer ones). */
  static final int MAX_NAME_LENGTH = 64;

  private static final String CURRENT_DATABASE = "SELECT DATABASE()";
  private static final String TRY_LOCK = "SELECT GET_LOCK(?, 0)";
  private static final String RELEASE_LOCK = "SELECT RELEASE_LOCK(?)";

  /** Takes the lock without waiting; false if another session holds it. */
  static boolean tryLock(Connection c, long key) throws SQLException {
    String name = name(c, key);
    Integer taken = queryInt(c, TRY_LOCK, name);
    if (taken == null) {
      throw new SQLException("GET_LOCK failed for the partition maintenance lock " + name);
    }
    return taken == 1;
  }

  /** Releases the lock; fails if this session did not hold it. */
  static void unlock(Connection c, long key) throws SQLException {
    String name = name(c, key);
    Integer released = queryInt(c, RELEASE_LOCK, name);
    if (released == null || released != 1) {
      throw new SQLException(
          "the partition maintenance lock "
              + name
              + (released == null ? " did not exist" : " is held by another session"));
    }
  }

  private static String name(Connection c, long key) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(CURRENT_DATABASE)) {
      rs.next();
      return name(rs.getString(1), key);
    }
  }

  /**
   * {@code outbox:<database>:<key in hex>}, {@code database} being the connection's default
   * database (empty if none): lock names are server-wide, and this scopes the key to one database
   * as PostgreSQL scopes an advisory lock. When the name would be longer than the 64 characters
   * MySQL allows, the database name is replaced by {@code #} and a 64-bit hash of it.
   */
  static String name(String database, long key) {
    String scope = database == null ? "" : database;
    String name = "outbox:" + scope + ":" + hex(key);
    if (name.length() <= MAX_NAME_LENGTH) {
      return name;
    }
    return "outbox:#" + hex(fnv1a(scope)) + ":" + hex(key);
  }

  private static long fnv1a(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  private static String hex(long value) {
    return String.format(Locale.ROOT, "%016x", value);
  }

  private static Integer queryInt(Connection c, String sql, String parameter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, parameter);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        int value = rs.getInt(1);
        return rs.wasNull() ? null : value;
      }
    }
  }
}
