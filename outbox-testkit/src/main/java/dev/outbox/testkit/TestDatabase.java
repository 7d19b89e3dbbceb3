package dev.outbox.testkit;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.spi.OutboxDialect;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * A real database server for one test class, with a fresh schema (MySQL: database) that {@link
 * #close()} drops. Each database module provides one, found as DESIGN §9 says: the JDBC URL in an
 * environment variable, else the local default server, else Testcontainers.
 */
public interface TestDatabase extends AutoCloseable {

  /** The dialect under test. */
  OutboxDialect dialect();

  /** The fresh schema this test class works in. */
  String schema();

  /** The JDBC URL of the server (user and password included). */
  String jdbcUrl();

  /** {@link #jdbcUrl()} with its host and port replaced, to connect through a proxy. */
  String jdbcUrlVia(String host, int port);

  /** The host and port {@link #jdbcUrl()} points at, as {@code host:port}. */
  String hostAndPort();

  /**
   * A new connection pool for {@code jdbcUrl}, whose sessions use a non-UTC time zone (so time-zone
   * mistakes show) and fail fast when the server is unreachable.
   */
  HikariDataSource dataSource(String jdbcUrl, String poolName, int maxPoolSize);

  /** A new connection pool to the server. */
  default HikariDataSource dataSource(String poolName, int maxPoolSize) {
    return dataSource(jdbcUrl(), poolName, maxPoolSize);
  }

  /**
   * Binds {@code value} (may be null) to parameter {@code index} of a test's own SQL, the way this
   * database's message-id and lease-token columns take a UUID. Default: {@code setObject} with the
   * {@link UUID}.
   */
  default void bindUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
    ps.setObject(index, value);
  }

  /**
   * Binds {@code value} (may be null) to parameter {@code index} of a test's own SQL, the way this
   * database's time columns take an instant. Default: {@code setObject} with an {@code
   * OffsetDateTime} in UTC.
   */
  default void bindInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    ps.setObject(index, value == null ? null : value.atOffset(ZoneOffset.UTC));
  }

  /** Drops the schema. */
  @Override
  void close();
}
