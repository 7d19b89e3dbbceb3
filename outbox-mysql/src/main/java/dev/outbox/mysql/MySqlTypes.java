package dev.outbox.mysql;

import dev.outbox.spi.JdbcTypes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.UUID;

/**
 * How the MySQL dialect reads and binds times and UUIDs: DATETIME(6) columns hold UTC wall-clock
 * time and are bound as its text ({@link Sql#utc}, which says why); UUIDs are {@code CHAR(36)}
 * text. A null of any type is bound as a text null.
 */
enum MySqlTypes implements JdbcTypes {
  INSTANCE;

  @Override
  public Instant instant(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : Sql.instant(t);
  }

  @Override
  public UUID uuid(ResultSet rs, String column) throws SQLException {
    String text = rs.getString(column);
    return text == null ? null : UUID.fromString(text);
  }

  @Override
  public void bindInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    ps.setString(index, Sql.utc(value));
  }

  @Override
  public void bindUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
    ps.setString(index, value.toString());
  }

  @Override
  public void bindNull(PreparedStatement ps, int index, int sqlType) throws SQLException {
    ps.setNull(index, Types.VARCHAR);
  }
}
