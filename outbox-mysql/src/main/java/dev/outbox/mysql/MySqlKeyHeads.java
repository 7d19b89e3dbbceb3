package dev.outbox.mysql;

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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The key actions on MySQL and MariaDB, for {@link MySqlAdmin}: retry a key's head now, or move it
 * to the dead letters. The head is found through {@code pending_key_run_idx}, then its row is
 * locked by primary key and rechecked, because a claim or an ack may have taken it meanwhile; all
 * in one READ COMMITTED transaction.
 */
final class MySqlKeyHeads {

  private static final String LOCK_ROW =
      """
      SELECT status, lease_until, next_attempt_at FROM {T} FORCE INDEX (PRIMARY)
       WHERE id = @id AND created_at = @createdAt FOR UPDATE""";

  private static final String RETRY_ROW =
      """
      UPDATE {T} FORCE INDEX (PRIMARY) SET next_attempt_at = CAST(@now AS DATETIME(6))
       WHERE id = @id AND created_at = @createdAt""";

  private static final String COPY_TO_DEAD =
      """
      INSERT INTO {D} (original_id, message_id, topic, msg_key, payload, headers, created_at,
                       attempts, reason, dead_at, replay_count)
      SELECT id, message_id, topic, msg_key, payload, headers, created_at, attempts, @reason, @now,
             replay_count
        FROM {T} FORCE INDEX (PRIMARY) WHERE id = @id AND created_at = @createdAt""";

  /** Multi-table syntax, as in MySqlAck: the form of DELETE that takes an index hint. */
  private static final String DELETE_ROW =
      "DELETE {T} FROM {T} FORCE INDEX (PRIMARY) WHERE id = @id AND created_at = @createdAt";

  private final StatementCache statements;
  private final AdminJdbc jdbc;

  MySqlKeyHeads(StatementCache statements, AdminJdbc jdbc) {
    this.statements = statements;
    this.jdbc = jdbc;
  }

  /** Makes the key's head due at {@code now} if it is waiting; see {@link MySqlAdmin#retryHead}. */
  Change retry(Connection c, OutboxTables tables, String key, Instant now, boolean dryRun)
      throws SQLException {
    return onHead(
        c,
        tables,
        key,
        now,
        dryRun,
        state -> state == MessageState.WAITING,
        (tx, head) -> expect("make the head due", jdbc.update(tx, sql(tables, RETRY_ROW), head)));
  }

  /**
   * Moves the key's head to the dead letters unless leased; see {@link MySqlAdmin#deadLetterHead}.
   */
  Change deadLetter(
      Connection c, OutboxTables tables, String key, String reason, Instant now, boolean dryRun)
      throws SQLException {
    return onHead(
        c,
        tables,
        key,
        now,
        dryRun,
        state -> state != MessageState.LEASED,
        (tx, head) -> {
          SqlParams p = head.with("reason", reason);
          expect(
              "copy the head to the dead letters", jdbc.update(tx, sql(tables, COPY_TO_DEAD), p));
          expect("delete the head", jdbc.update(tx, sql(tables, DELETE_ROW), p));
        });
  }

  @FunctionalInterface
  private interface HeadAction {
    /**
     * Acts on the locked head; {@code head} holds its {@code @id}, {@code @createdAt},
     * {@code @now}.
     */
    void apply(Connection tx, SqlParams head) throws SQLException;
  }

  /** How often the head is looked up again when it was sent or dead-lettered under us. */
  private static final int HEAD_TRIES = 3;

  /**
   * Finds the key's head, locks its row and rechecks it, then applies {@code action} unless it is
   * leased or this is a dry run: one READ COMMITTED transaction.
   */
  private Change onHead(
      Connection c,
      OutboxTables tables,
      String key,
      Instant now,
      boolean dryRun,
      Predicate<MessageState> touches,
      HeadAction action)
      throws SQLException {
    for (int attempt = 0; attempt < HEAD_TRIES; attempt++) {
      Optional<Change> done =
          Jdbc.inTransaction(
              c,
              tx -> {
                Sql.readCommittedNext(tx);
                Optional<MessageView> head =
                    jdbc.first(
                        tx,
                        sql(tables, MySqlAdmin.KEY_HEAD),
                        SqlParams.of("key", key),
                        jdbc.message(now));
                if (head.isEmpty()) {
                  return Optional.of(new Change(0, dryRun, List.of()));
                }
                long id = head.get().id();
                if (dryRun) {
                  boolean touched = touches.test(head.get().state());
                  return Optional.of(
                      new Change(touched ? 1 : 0, true, touched ? List.of(id) : List.of()));
                }
                SqlParams row = SqlParams.of("id", id, "createdAt", head.get().createdAt());
                Optional<MessageState> locked =
                    jdbc.first(tx, sql(tables, LOCK_ROW), row, rs -> lockedState(rs, now))
                        .flatMap(s -> s);
                if (locked.isEmpty()) {
                  return Optional.<Change>empty(); // sent or dead meanwhile: look again
                }
                if (!touches.test(locked.get())) {
                  return Optional.of(new Change(0, false, List.of()));
                }
                action.apply(tx, row.with("now", now));
                return Optional.of(new Change(1, false, List.of(id)));
              });
      if (done.isPresent()) {
        return done.get();
      }
    }
    throw new SQLException(
        "the head of key '"
            + key
            + "' changed "
            + HEAD_TRIES
            + " times while it was being locked (relays are sending it); try again");
  }

  /** The locked row's state at {@code now}, or empty if it is no longer pending. */
  private static Optional<MessageState> lockedState(ResultSet rs, Instant now) throws SQLException {
    if (rs.getInt("status") != 0) {
      return Optional.empty();
    }
    MySqlTypes t = MySqlTypes.INSTANCE;
    return Optional.of(
        MessageView.pendingState(
            now, t.instant(rs, "next_attempt_at"), t.instant(rs, "lease_until")));
  }

  private static void expect(String what, int rows) throws SQLException {
    if (rows != 1) {
      throw new SQLException("outbox admin: " + what + " changed " + rows + " rows, expected 1");
    }
  }

  private NamedSql sql(OutboxTables tables, String template) {
    return statements.get(tables, template, () -> template);
  }
}
