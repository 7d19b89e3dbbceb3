package dev.outbox.postgres;

import static dev.outbox.postgres.PostgresDialect.quote;

import dev.outbox.OutboxTables;
import dev.outbox.spi.Partition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What partition maintenance reads on PostgreSQL: the parent table from {@code pg_class} and {@code
 * pg_partitioned_table}, its partitions from {@code pg_inherits} with their bounds from the
 * catalog's partition bound expression (cast back to {@code timestamptz} in the same session), and
 * the rows the checks before a create or a drop count. Reads only; the locks that keep what it read
 * true are taken by {@link PostgresPartitionDdl}, in the order {@link PostgresPartitions} runs
 * them.
 */
final class PostgresPartitionCatalog {
  private PostgresPartitionCatalog() {}

  /** The parent table, and whether it is range-partitioned on {@code created_at}. */
  private static final String DESCRIBE_TABLE =
      """
      SELECT n.nspname, c.relkind, pt.partstrat,
             (SELECT a.attname FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attnum = pt.partattrs[0]) AS partition_column
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
       WHERE c.oid = to_regclass(?)
      """;

  /**
   * The direct partitions of the table. A bound like {@code FROM ('2026-11-23 00:00:00+00')} is
   * printed in the session's time zone and cast back in the same session, so it round-trips
   * exactly; MINVALUE and MAXVALUE bounds read as null.
   */
  private static final String LIST_PARTITIONS =
      """
      SELECT n.nspname, c.relname, c.oid = pt.partdefid AS is_default,
             (regexp_match(b.bound, 'FROM \\(''([^'']*)''\\)'))[1]::timestamptz AS lower_bound,
             (regexp_match(b.bound, 'TO \\(''([^'']*)''\\)'))[1]::timestamptz AS upper_bound
        FROM pg_inherits i
        JOIN pg_partitioned_table pt ON pt.partrelid = i.inhparent
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
       WHERE i.inhparent = to_regclass(?) AND c.relispartition
       ORDER BY lower_bound NULLS FIRST, c.relname
      """;

  private static final String CATCH_ALL_INTERVALS =
      """
      SELECT DISTINCT floor(extract(epoch FROM created_at) / ?)::bigint AS interval_number
        FROM %s
       ORDER BY 1
      """;

  private static final String HAS_ROWS_IN_RANGE =
      "SELECT EXISTS (SELECT 1 FROM %s WHERE created_at >= ? AND created_at < ?)";

  /** The parent's columns, in order, quoted by PostgreSQL itself. */
  private static final String COLUMN_LIST =
      """
      SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
        FROM pg_attribute
       WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped
      """;

  private static final String IS_PARTITION_OF =
      """
      SELECT EXISTS (SELECT 1 FROM pg_inherits
                      WHERE inhrelid = to_regclass(?) AND inhparent = to_regclass(?))
      """;

  /** Served by the partition's share of the two partial indexes on pending rows. */
  private static final String COUNT_UNFINISHED =
      "SELECT (SELECT count(*) FROM %1$s WHERE status = 0 AND NOT scheduled)"
          + " + (SELECT count(*) FROM %1$s WHERE status = 0 AND scheduled)";

  /**
   * Checks that the table exists and is range-partitioned on {@code created_at}.
   *
   * @return the schema it lives in
   */
  static String describe(Connection c, OutboxTables tables) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DESCRIBE_TABLE)) {
      ps.setString(1, parent(tables));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException(
              "outbox table " + parent(tables) + " does not exist; run OutboxMigrations first",
              "42P01");
        }
        if (!"p".equals(rs.getString(2))
            || !"r".equals(rs.getString(3))
            || !"created_at".equals(rs.getString(4))) {
          throw new SQLException(
              "outbox table "
                  + parent(tables)
                  + " is not range-partitioned on created_at, so it cannot be maintained by"
                  + " partition; create it with the outbox migrations",
              "42809");
        }
        return rs.getString(1);
      }
    }
  }

  /** The partitions of a table {@link #describe} has checked. */
  static List<Partition> list(Connection c, OutboxTables tables) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LIST_PARTITIONS)) {
      ps.setString(1, parent(tables));
      List<Partition> partitions = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          partitions.add(
              new Partition(
                  rs.getString(1),
                  rs.getString(2),
                  instant(rs, 4),
                  instant(rs, 5),
                  rs.getBoolean(3)));
        }
      }
      return partitions;
    }
  }

  /** The catch-all partition among {@code partitions}, or null. */
  static Partition catchAll(List<Partition> partitions) {
    return partitions.stream().filter(Partition::catchAll).findFirst().orElse(null);
  }

  /**
   * The starts of the intervals of length {@code interval} that rows of {@code catchAll} fall in.
   */
  static SortedSet<Instant> intervalsIn(Connection c, Partition catchAll, Duration interval)
      throws SQLException {
    SortedSet<Instant> starts = new TreeSet<>();
    long seconds = interval.toSeconds();
    try (PreparedStatement ps =
        c.prepareStatement(String.format(CATCH_ALL_INTERVALS, name(catchAll)))) {
      ps.setLong(1, seconds);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          starts.add(Instant.ofEpochSecond(rs.getLong(1) * seconds));
        }
      }
    }
    return starts;
  }

  /** Whether {@code catchAll} holds rows created in [{@code from}, {@code to}). */
  static boolean hasRowsIn(Connection tx, Partition catchAll, Instant from, Instant to)
      throws SQLException {
    try (PreparedStatement ps =
        tx.prepareStatement(String.format(HAS_ROWS_IN_RANGE, name(catchAll)))) {
      ps.setObject(1, PostgresDialect.utc(from));
      ps.setObject(2, PostgresDialect.utc(to));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** The parent's column list, quoted, in column order. */
  static String columns(Connection tx, OutboxTables tables) throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement(COLUMN_LIST)) {
      ps.setString(1, parent(tables));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** Whether {@code partition} is (still) a partition of the outbox table. */
  static boolean isPartitionOf(Connection tx, Partition partition, OutboxTables tables)
      throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement(IS_PARTITION_OF)) {
      ps.setString(1, name(partition));
      ps.setString(2, parent(tables));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** How many rows of {@code partition} are pending, leased or waiting for a retry. */
  static long countUnfinished(Connection tx, Partition partition) throws SQLException {
    try (PreparedStatement ps =
            tx.prepareStatement(String.format(COUNT_UNFINISHED, name(partition)));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The outbox table's schema-qualified, quoted name. */
  static String parent(OutboxTables tables) {
    return PostgresDialect.qualified(tables, tables.table());
  }

  /** A partition's schema-qualified, quoted name. */
  static String name(Partition p) {
    return quote(p.schema()) + "." + quote(p.name());
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
