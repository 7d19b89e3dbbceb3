package dev.outbox;

import dev.outbox.internal.Checks;

/**
 * The names of one outbox's tables: an optional schema (PostgreSQL schema, MySQL database) and the
 * message table name. The dead-letter table and the Flyway history table are named after the
 * message table. Names are validated as plain SQL identifiers, so a dialect can quote them safely;
 * nothing configured is ever pasted raw into SQL.
 *
 * @param schema the schema, or null for the connection's current schema
 * @param table the message table
 */
public record OutboxTables(String schema, String table) {

  /** Default message table name. */
  public static final String DEFAULT_TABLE = "outbox_message";

  /**
   * Longest table name accepted: leaves room for the suffixes of derived names (dead letters,
   * history, partitions) within the 63-character identifier limit of PostgreSQL.
   */
  public static final int MAX_TABLE_LENGTH = 40;

  /** Longest schema name accepted (PostgreSQL's identifier limit). */
  public static final int MAX_SCHEMA_LENGTH = 63;

  /**
   * @throws IllegalArgumentException if a name is not a plain identifier (letters, digits and
   *     underscores, not starting with a digit) or is too long
   */
  public OutboxTables {
    if (schema != null) {
      Checks.identifier("schema", schema, MAX_SCHEMA_LENGTH);
    }
    Checks.identifier("table", table, MAX_TABLE_LENGTH);
  }

  /** The default table name in the connection's current schema. */
  public static OutboxTables defaults() {
    return new OutboxTables(null, DEFAULT_TABLE);
  }

  /** The dead-letter table: the message table's name with {@code _dead}. */
  public String deadLetterTable() {
    return table + "_dead";
  }

  /** The pause table: one row for each paused topic, see {@code OutboxAdmin}. */
  public String pauseTable() {
    return table + "_pause";
  }

  /** The relay table: one row for each running relay, which reports itself there. */
  public String relayTable() {
    return table + "_relay";
  }

  /**
   * The idempotency table: the message table's name with {@code _idem}, where enlists with an
   * {@link OutboxMessage.Builder#idempotencyKey idempotency key} record their keys.
   */
  public String idempotencyTable() {
    return table + "_idem";
  }

  /** The Flyway history table of the outbox's own migrations. */
  public String historyTable() {
    return table + "_schema_history";
  }
}
