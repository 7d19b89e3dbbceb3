package dev.outbox.mysql;

import dev.outbox.OutboxTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.StringJoiner;

/** SQL helpers shared by the MySQL dialect's statements: quoting, times and isolation. */
final class Sql {
  private Sql() {}

  /**
   * UTC wall-clock time with microseconds, as DATETIME(6) literals are written. Times are bound as
   * this text rather than as {@code LocalDateTime}: mysql-connector-j sees MariaDB as server
   * version 5.5.5 (MariaDB's handshake prefix) and then drops the fractional seconds of bound
   * temporal values, which would make a retry due up to a second early.
   */
  private static final DateTimeFormatter DATETIME_6 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  /**
   * Runs the claim and ack transactions at READ COMMITTED whatever the session's default: InnoDB
   * then takes no gap locks, so a claim or ack never blocks a producer's INSERT, and the per-key
   * check reads the last committed rows without locking them. Applies to the next transaction only,
   * so the pooled connection is returned unchanged.
   */
  private static final String NEXT_TRANSACTION_READ_COMMITTED =
      "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";

  /**
   * {@code identifier} in backticks, any backtick in it doubled: safe for configured names, which
   * {@link OutboxTables} validates, and for partition names read from the catalog, which may hold
   * anything.
   */
  static String quote(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }

  /** {@code table} qualified with the schema (MySQL: database) of {@code t}, if any. */
  static String qualified(OutboxTables t, String table) {
    return t.schema() == null ? quote(table) : quote(t.schema()) + '.' + quote(table);
  }

  /** The DATETIME(6) text of {@code instant} in UTC. */
  static String utc(Instant instant) {
    return DATETIME_6.format(instant);
  }

  /** The instant of a DATETIME(6) value holding UTC wall-clock time. */
  static Instant instant(LocalDateTime utc) {
    return utc.toInstant(ZoneOffset.UTC);
  }

  /** Makes the next transaction on {@code c} READ COMMITTED; call before its first statement. */
  static void readCommittedNext(Connection c) throws SQLException {
    execute(c, NEXT_TRANSACTION_READ_COMMITTED);
  }

  /** Runs {@code sql}, a statement without parameters, on {@code c}. */
  static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** {@code n} copies of {@code group} separated by commas, such as {@code ?, ?, ?}. */
  static String repeat(String group, int n) {
    StringJoiner joined = new StringJoiner(", ");
    for (int i = 0; i < n; i++) {
      joined.add(group);
    }
    return joined.toString();
  }

  /** Binds {@code ids} from parameter {@code first} on; returns the next parameter index. */
  static int bindIds(PreparedStatement ps, int first, Collection<Long> ids) throws SQLException {
    int i = first;
    for (long id : ids) {
      ps.setLong(i++, id);
    }
    return i;
  }
}
