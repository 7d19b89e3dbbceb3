package dev.outbox.spi;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.UUID;

/**
 * How one database's driver reads and binds the values whose JDBC mapping differs between
 * databases: times (instants) and UUIDs. Everything else is bound the standard way by {@link
 * #bind}. Implementations are stateless and thread-safe.
 */
public interface JdbcTypes {

  /** The instant in {@code column}, or null for SQL NULL. */
  Instant instant(ResultSet rs, String column) throws SQLException;

  /** The UUID in {@code column}, or null for SQL NULL. */
  UUID uuid(ResultSet rs, String column) throws SQLException;

  /** Binds a (non-null) instant. */
  void bindInstant(PreparedStatement ps, int index, Instant value) throws SQLException;

  /** Binds a (non-null) UUID. */
  void bindUuid(PreparedStatement ps, int index, UUID value) throws SQLException;

  /**
   * Binds a list (for example as an SQL array); by default refused, for databases without arrays,
   * whose statements use {@link SqlParams#expand} instead.
   */
  default void bindList(PreparedStatement ps, int index, java.util.List<?> value)
      throws SQLException {
    throw new IllegalArgumentException(
        "this database binds no list as one parameter; use SqlParams.expand");
  }

  /** Binds a null of {@code sqlType}; by default {@link PreparedStatement#setNull}. */
  default void bindNull(PreparedStatement ps, int index, int sqlType) throws SQLException {
    ps.setNull(index, sqlType);
  }

  /**
   * Binds {@code value}: null as a VARCHAR null, {@link SqlParams.TypedNull}, instants, UUIDs and
   * lists as above, longs, ints and strings with their setters, anything else with {@code
   * setObject}.
   */
  default void bind(PreparedStatement ps, int index, Object value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else if (value instanceof SqlParams.TypedNull n) {
      bindNull(ps, index, n.sqlType());
    } else if (value instanceof Instant t) {
      bindInstant(ps, index, t);
    } else if (value instanceof UUID u) {
      bindUuid(ps, index, u);
    } else if (value instanceof java.util.List<?> list) {
      bindList(ps, index, list);
    } else if (value instanceof Long l) {
      ps.setLong(index, l);
    } else if (value instanceof Integer n) {
      ps.setInt(index, n);
    } else if (value instanceof String s) {
      ps.setString(index, s);
    } else {
      ps.setObject(index, value);
    }
  }
}
