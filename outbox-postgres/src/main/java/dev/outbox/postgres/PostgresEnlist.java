package dev.outbox.postgres;

import dev.outbox.OutboxTables;
import dev.outbox.spi.NewRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The PostgreSQL enlist: one multi-row INSERT per {@link #INSERT_CHUNK} messages, the last one
 * carrying the {@code NOTIFY} in the same statement text, so that enlisting a message costs one
 * round trip. The text of a single-row enlist, the common case, is built once per table set.
 */
final class PostgresEnlist {

  /** Rows per INSERT statement when enlisting many messages (6 parameters each). */
  static final int INSERT_CHUNK = 1000;

  private static final String INSERT_INTO =
      "INSERT INTO %s (message_id, topic, msg_key, payload, headers, next_attempt_at) VALUES ";
  private static final String INSERT_ROW = "(?, ?, ?, ?, ?::jsonb, ?)";

  /** The INSERT of a chunk holding a scheduled message (rare): two more columns a row. */
  private static final String INSERT_SCHEDULED_INTO =
      "INSERT INTO %s (message_id, topic, msg_key, payload, headers, next_attempt_at, deliver_at,"
          + " scheduled) VALUES ";

  private static final String INSERT_SCHEDULED_ROW = "(?, ?, ?, ?, ?::jsonb, ?, ?, ?)";

  /** The INSERT's start and the NOTIFY that may follow it, on one table set. */
  private record Statements(
      String insertInto, String notifySuffix, String one, String oneAndNotify) {
    static Statements of(OutboxTables tables) {
      String insertInto =
          String.format(INSERT_INTO, PostgresDialect.qualified(tables, tables.table()));
      String notify = "; NOTIFY " + PostgresDialect.quote(PostgresDialect.channel(tables));
      String one = insertInto + INSERT_ROW;
      return new Statements(insertInto, notify, one, one + notify);
    }

    String insert(int rows, boolean withNotify) {
      if (rows == 1) {
        return withNotify ? oneAndNotify : one;
      }
      StringBuilder sql =
          new StringBuilder(
              insertInto.length() + rows * (INSERT_ROW.length() + 2) + notifySuffix.length());
      sql.append(insertInto);
      for (int i = 0; i < rows; i++) {
        sql.append(i == 0 ? "" : ", ").append(INSERT_ROW);
      }
      return withNotify ? sql.append(notifySuffix).toString() : sql.toString();
    }
  }

  private static String scheduledInsert(OutboxTables tables, int rows, String notify) {
    String into =
        String.format(INSERT_SCHEDULED_INTO, PostgresDialect.qualified(tables, tables.table()));
    StringBuilder sql = new StringBuilder(into);
    for (int i = 0; i < rows; i++) {
      sql.append(i == 0 ? "" : ", ").append(INSERT_SCHEDULED_ROW);
    }
    return sql.append(notify).toString();
  }

  private static final Map<OutboxTables, Statements> STATEMENTS = new ConcurrentHashMap<>();

  private PostgresEnlist() {}

  /**
   * Inserts {@code rows} in the caller's transaction on {@code c}; {@code takeNotify} is asked
   * once, for the last chunk, whether it queues a {@code NOTIFY}.
   */
  static void insert(
      Connection c, OutboxTables tables, List<NewRow> rows, BooleanSupplier takeNotify)
      throws SQLException {
    Statements sql = STATEMENTS.computeIfAbsent(tables, Statements::of);
    for (int from = 0; from < rows.size(); from += INSERT_CHUNK) {
      List<NewRow> chunk = rows.subList(from, Math.min(rows.size(), from + INSERT_CHUNK));
      boolean notify = from + INSERT_CHUNK >= rows.size() && takeNotify.getAsBoolean();
      boolean scheduled = chunk.stream().anyMatch(NewRow::scheduled);
      String text =
          scheduled
              ? scheduledInsert(tables, chunk.size(), notify ? sql.notifySuffix() : "")
              : sql.insert(chunk.size(), notify);
      try (PreparedStatement ps = c.prepareStatement(text)) {
        int i = 1;
        for (NewRow r : chunk) {
          ps.setObject(i++, r.messageId());
          ps.setString(i++, r.topic());
          ps.setString(i++, r.key());
          ps.setBytes(i++, r.payload());
          ps.setString(i++, r.headersJson());
          ps.setObject(i++, PostgresDialect.utc(r.availableAt()));
          if (scheduled) {
            ps.setObject(i++, r.scheduled() ? PostgresDialect.utc(r.deliverAt()) : null);
            ps.setBoolean(i++, r.scheduled());
          }
        }
        ps.execute();
      }
    }
  }
}
