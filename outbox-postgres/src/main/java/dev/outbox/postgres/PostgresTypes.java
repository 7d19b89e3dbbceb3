package dev.outbox.postgres;

import dev.outbox.spi.JdbcTypes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * How pgjdbc reads and binds times and UUIDs: {@code timestamptz} as {@link OffsetDateTime} in UTC,
 * {@code uuid} natively, lists as {@code bigint[]} (for {@code = ANY (@ids)}).
 */
enum PostgresTypes implements JdbcTypes {
  INSTANCE;

  @Override
  public Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  @Override
  public UUID uuid(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, UUID.class);
  }

  @Override
  public void bindInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    ps.setObject(index, PostgresDialect.utc(value));
  }

  @Override
  public void bindUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
    ps.setObject(index, value);
  }

  @Override
  public void bindList(PreparedStatement ps, int index, List<?> value) throws SQLException {
    ps.setArray(index, ps.getConnection().createArrayOf("bigint", value.toArray()));
  }
}
