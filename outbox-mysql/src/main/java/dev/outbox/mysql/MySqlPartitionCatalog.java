package dev.outbox.mysql;

import dev.outbox.OutboxTables;
import dev.outbox.spi.Partition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the partitions of an outbox message table from {@code information_schema.PARTITIONS} and
 * writes and reads their bounds. A MySQL range partition has only an upper bound ({@code VALUES
 * LESS THAN}); its lower bound is the upper bound of the partition before it, and the first one is
 * unbounded below. The partition whose bound is {@code MAXVALUE} is the catch-all partition.
 */
final class MySqlPartitionCatalog {
  private MySqlPartitionCatalog() {}

  /** SQLSTATE base table or view not found. */
  static final String NO_SUCH_TABLE = "42S02";

  /** SQLSTATE for a table the job cannot maintain: it exists but has the wrong shape. */
  static final String WRONG_TABLE = "HY000";

  /**
   * The table's partitions in their defined order, which is ascending order of their bounds. A
   * table that exists but is not partitioned has one row with a null partition name; one that does
   * not exist has none. Names compare as the server compares table names, so with {@code
   * lower_case_table_names = 0} a table and its differently-cased twin are told apart.
   */
  private static final String LIST_PARTITIONS =
      """
      SELECT partition_name, partition_method, partition_expression, partition_description
        FROM information_schema.partitions
       WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?
       ORDER BY partition_ordinal_position
      """;

  /** How a bound is written in DDL: UTC wall-clock time, as {@code created_at} holds it. */
  private static final DateTimeFormatter BOUND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /**
   * How the server shows a bound: as it was written, so with or without a time and fractional
   * seconds.
   */
  private static final DateTimeFormatter DESCRIPTION =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd")
          .optionalStart()
          .appendPattern(" HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalEnd()
          .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
          .toFormatter(Locale.ROOT);

  /**
   * The partitions of {@code tables}' message table, in ascending order, the catch-all last.
   *
   * @throws SQLException if the table does not exist or is not {@code RANGE COLUMNS} partitioned on
   *     {@code created_at}; the message says which
   */
  static List<Partition> read(Connection c, OutboxTables tables) throws SQLException {
    List<Partition> partitions = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(LIST_PARTITIONS)) {
      ps.setString(1, tables.schema());
      ps.setString(2, tables.table());
      try (ResultSet rs = ps.executeQuery()) {
        Instant lower = null;
        while (rs.next()) {
          checkShape(tables, rs);
          Partition p = partition(tables, rs.getString(1), rs.getString(4), lower);
          partitions.add(p);
          lower = p.to();
        }
      }
    }
    if (partitions.isEmpty()) {
      throw new SQLException(
          "outbox table "
              + Sql.qualified(tables, tables.table())
              + " does not exist (in the connection's default database when no schema is set);"
              + " run OutboxMigrations first",
          NO_SUCH_TABLE);
    }
    return partitions;
  }

  private static void checkShape(OutboxTables tables, ResultSet rs) throws SQLException {
    String name = rs.getString(1);
    String method = rs.getString(2);
    String expression = rs.getString(3);
    boolean onCreatedAt =
        expression != null && expression.replace("`", "").trim().equalsIgnoreCase("created_at");
    if (name == null || !"RANGE COLUMNS".equals(method) || !onCreatedAt) {
      throw new SQLException(
          "outbox table "
              + Sql.qualified(tables, tables.table())
              + (name == null
                  ? " is not partitioned"
                  : " is partitioned by " + method + " (" + expression + ")")
              + ", so it cannot be maintained by partition; the outbox migrations create it"
              + " PARTITION BY RANGE COLUMNS (created_at)",
          WRONG_TABLE);
    }
  }

  private static Partition partition(
      OutboxTables tables, String name, String description, Instant lower) throws SQLException {
    if ("MAXVALUE".equalsIgnoreCase(description.trim())) {
      return new Partition(null, name, null, null, true);
    }
    return new Partition(null, name, lower, parse(tables, name, description), false);
  }

  /** {@code to} as a bound literal for {@code VALUES LESS THAN}. */
  static String literal(Instant to) {
    return "'" + BOUND.format(to) + "'";
  }

  private static Instant parse(OutboxTables tables, String partition, String description)
      throws SQLException {
    String text = description.trim();
    if (text.length() >= 2 && text.startsWith("'") && text.endsWith("'")) {
      text = text.substring(1, text.length() - 1);
    }
    try {
      return LocalDateTime.parse(text, DESCRIPTION).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new SQLException(
          "partition "
              + partition
              + " of "
              + Sql.qualified(tables, tables.table())
              + " has the bound "
              + description
              + ", which is not a DATETIME literal; every partition of the outbox table must be"
              + " VALUES LESS THAN ('yyyy-MM-dd HH:mm:ss') or MAXVALUE",
          WRONG_TABLE,
          e);
    }
  }
}
