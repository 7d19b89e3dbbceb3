package dev.outbox.postgres;

import dev.outbox.OutboxTables;
import dev.outbox.admin.Change;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.spi.AdminJdbc;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.NamedSql;
import dev.outbox.spi.SqlParams;
import dev.outbox.spi.StatementCache;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The key actions on PostgreSQL, for {@link PostgresAdmin}: retry a key's head now, or move it to
 * the dead letters; each a locking read of the head and one statement, in one transaction.
 */
final class PostgresKeyHeads {

  /** The key's oldest pending row, from the pending key index (ordered like it). */
  static final String KEY_HEAD =
      "SELECT "
          + AdminJdbc.messageColumns("octet_length(payload)")
          + " FROM {T} WHERE status = 0 AND msg_key = @key ORDER BY msg_key, id LIMIT 1";

  /**
   * The key's head, locked. A claim that holds it makes this wait until the claim commits, and the
   * row is then read again as the claim left it (leased); a head acknowledged meanwhile no longer
   * matches and the next row is taken instead. A claim that comes after finds it locked and skips
   * the key.
   */
  private static final String LOCK_KEY_HEAD = KEY_HEAD + " FOR UPDATE";

  private static final String RETRY_HEAD =
      "UPDATE {T} SET next_attempt_at = @now WHERE id = @id AND created_at = @createdAt";

  private static final String DEAD_LETTER_HEAD =
      """
      WITH gone AS (DELETE FROM {T} WHERE id = @id AND created_at = @createdAt AND status = 0
                    RETURNING *)
      INSERT INTO {D} (original_id, message_id, topic, msg_key, payload, headers, created_at,
                       attempts, reason, dead_at, replay_count)
      SELECT id, message_id, topic, msg_key, payload, headers, created_at, attempts, @reason, @now,
             replay_count
        FROM gone
      """;

  private final StatementCache statements;
  private final AdminJdbc jdbc;

  PostgresKeyHeads(StatementCache statements, AdminJdbc jdbc) {
    this.statements = statements;
    this.jdbc = jdbc;
  }

  /**
   * Makes the key's head due at {@code now} if it is waiting; see {@link PostgresAdmin#retryHead}.
   */
  Change retry(Connection c, OutboxTables tables, String key, Instant now, boolean dryRun)
      throws SQLException {
    NamedSql sql = sql(tables, "retryHead", () -> RETRY_HEAD);
    Predicate<MessageView> waiting = head -> head.state() == MessageState.WAITING;
    return onHead(c, tables, key, now, dryRun, waiting, sql, SqlParams.of("now", now));
  }

  /**
   * Moves the key's head to the dead letters unless leased; see {@link
   * PostgresAdmin#deadLetterHead}.
   */
  Change deadLetter(
      Connection c, OutboxTables tables, String key, String reason, Instant now, boolean dryRun)
      throws SQLException {
    NamedSql sql = sql(tables, "deadLetterHead", () -> DEAD_LETTER_HEAD);
    Predicate<MessageView> notLeased = head -> head.state() != MessageState.LEASED;
    SqlParams p = SqlParams.of("reason", reason, "now", now);
    return onHead(c, tables, key, now, dryRun, notLeased, sql, p);
  }

  /**
   * Locks the key's head and, if {@code applies}, runs {@code action} on it, with {@code @id} and
   * {@code @createdAt} the head's; one transaction.
   */
  private Change onHead(
      Connection c,
      OutboxTables tables,
      String key,
      Instant now,
      boolean dryRun,
      Predicate<MessageView> applies,
      NamedSql action,
      SqlParams p)
      throws SQLException {
    if (dryRun) {
      NamedSql keyHead = sql(tables, "keyHead", () -> KEY_HEAD);
      Optional<MessageView> head =
          jdbc.first(c, keyHead, SqlParams.of("key", key), jdbc.message(now)).filter(applies);
      return new Change(
          head.isPresent() ? 1 : 0, true, head.map(h -> List.of(h.id())).orElse(List.of()));
    }
    NamedSql lock = sql(tables, "lockKeyHead", () -> LOCK_KEY_HEAD);
    return Jdbc.inTransaction(
        c,
        tx -> {
          Optional<MessageView> head =
              jdbc.first(tx, lock, SqlParams.of("key", key), jdbc.message(now)).filter(applies);
          if (head.isEmpty()) {
            return new Change(0, false, List.of());
          }
          MessageView h = head.get();
          int rows = jdbc.update(tx, action, p.with("id", h.id()).with("createdAt", h.createdAt()));
          return new Change(rows, false, rows == 0 ? List.of() : List.of(h.id()));
        });
  }

  private NamedSql sql(OutboxTables tables, String shape, Supplier<String> template) {
    return statements.get(tables, shape, template);
  }
}
