package dev.outbox.spi;

import dev.outbox.internal.Checks;
import java.util.Map;

/**
 * The name of one dedup table (see {@link DedupSupport}): an optional schema (PostgreSQL schema,
 * MySQL database) and the table. Names are validated as plain SQL identifiers, so a dialect can
 * quote them safely.
 *
 * @param schema the schema, or null for the connection's current schema
 * @param table the table
 */
public record DedupTable(String schema, String table) {

  /**
   * Longest table name accepted: leaves room for the suffixes of derived names (partitions, the
   * Flyway history table) within the 63-character identifier limit of PostgreSQL, and for an outbox
   * table's idempotency table ({@link dev.outbox.OutboxTables#idempotencyTable()}, 40 + 5).
   */
  public static final int MAX_TABLE_LENGTH = 48;

  /** Longest schema name accepted (PostgreSQL's identifier limit). */
  public static final int MAX_SCHEMA_LENGTH = 63;

  /** The Flyway placeholder that holds the table's name in the shipped migrations. */
  public static final String PLACEHOLDER = "dedup_table";

  /**
   * @throws IllegalArgumentException if a name is not a plain identifier (letters, digits and
   *     underscores, not starting with a digit) or is too long
   */
  public DedupTable {
    if (schema != null) {
      Checks.identifier("schema", schema, MAX_SCHEMA_LENGTH);
    }
    Checks.identifier("table", table, MAX_TABLE_LENGTH);
  }

  /** The Flyway history table of the migrations that create this table. */
  public String historyTable() {
    return table + "_schema_history";
  }

  /** The placeholders of the shipped migrations: {@value #PLACEHOLDER} = the table's name. */
  public Map<String, String> placeholders() {
    return Map.of(PLACEHOLDER, table);
  }

  @Override
  public String toString() {
    return schema == null ? table : schema + '.' + table;
  }
}
