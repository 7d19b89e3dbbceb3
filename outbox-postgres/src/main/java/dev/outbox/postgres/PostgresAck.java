package dev.outbox.postgres;

import dev.outbox.OutboxTables;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PostgreSQL acknowledgement: one statement per kind of outcome (sent, retried, dead), each
 * over arrays of ids and fenced by the batch's lease token, so a batch costs at most three
 * statements whatever its size. Several batches that finished together share one transaction. Each
 * statement carries the relay's {@linkplain RelayPlanSettings plan and commit settings}. The SQL
 * text is built once per table set.
 */
final class PostgresAck {

  private static final String MARK_SENT =
      """
      UPDATE %s
         SET status = 1, sent_at = ?, lease_token = NULL, lease_until = NULL
       WHERE id = ANY (?) AND lease_token = ? AND {CREATED}
      RETURNING id
      """;

  private static final String RESCHEDULE =
      """
      UPDATE %s t
         SET next_attempt_at = v.next_attempt_at, last_error = v.error,
             attempts = t.attempts - CASE WHEN v.uncharged THEN 1 ELSE 0 END,
             lease_token = NULL, lease_until = NULL
        FROM unnest(?::bigint[], ?::timestamptz[], ?::text[], ?::boolean[])
             AS v(id, next_attempt_at, error, uncharged)
       WHERE t.id = v.id AND t.lease_token = ? AND {CREATED}
      RETURNING t.id
      """;

  /**
   * Deletes the rows (still fenced by the lease) and inserts them as dead letters, atomically. The
   * replay count goes with them, so a replayed message that dies again says how often it was
   * replayed.
   */
  private static final String MOVE_TO_DEAD =
      """
      WITH v AS (SELECT * FROM unnest(?::bigint[], ?::text[]) AS v(id, reason)),
           gone AS (DELETE FROM %1$s t USING v
                     WHERE t.id = v.id AND t.lease_token = ? AND {CREATED}
                 RETURNING t.*, v.reason)
      INSERT INTO %2$s (original_id, message_id, topic, msg_key, payload, headers, created_at,
                        attempts, reason, dead_at, replay_count)
      SELECT id, message_id, topic, msg_key, payload, headers, created_at, attempts, reason, ?,
             replay_count
        FROM gone
      RETURNING original_id
      """;

  /**
   * Bounds each statement to the batch's creation times ({@link AckBatch#createdFrom()}), so that
   * PostgreSQL prunes the partitions that cannot hold it instead of probing every partition's
   * primary key for each id: with two weeks of daily partitions, marking a batch sent takes about
   * 0.6 of the time (AckPartitionHarness). Bound as text, so that a batch without bounds can pass
   * the infinities.
   */
  private static final String CREATED =
      "created_at BETWEEN CAST(? AS timestamptz) AND CAST(? AS timestamptz)";

  /** The three statements on one table set. */
  private record Statements(String markSent, String reschedule, String moveToDead) {
    static Statements of(OutboxTables tables) {
      String table = PostgresDialect.qualified(tables, tables.table());
      String dead = PostgresDialect.qualified(tables, tables.deadLetterTable());
      return new Statements(
          RelayPlanSettings.PREFIX + String.format(MARK_SENT.replace("{CREATED}", CREATED), table),
          RelayPlanSettings.PREFIX
              + String.format(RESCHEDULE.replace("{CREATED}", "t." + CREATED), table),
          RelayPlanSettings.PREFIX
              + String.format(MOVE_TO_DEAD.replace("{CREATED}", "t." + CREATED), table, dead));
    }
  }

  private static final Map<OutboxTables, Statements> STATEMENTS = new ConcurrentHashMap<>();

  private PostgresAck() {}

  /** Acknowledges one batch on {@code c}, in auto-commit mode. */
  static AckResult ack(Connection c, OutboxTables tables, AckBatch b) throws SQLException {
    int kinds =
        (b.sent().isEmpty() ? 0 : 1)
            + (b.retries().isEmpty() ? 0 : 1)
            + (b.dead().isEmpty() ? 0 : 1);
    Statements sql = statements(tables);
    // A single statement is atomic on its own (its settings and it run in one implicit
    // transaction); skip the BEGIN and the COMMIT's round trip.
    return kinds <= 1 ? write(c, sql, b) : Jdbc.inTransaction(c, tx -> write(tx, sql, b));
  }

  /** Acknowledges {@code batches} in one transaction on {@code c}, in auto-commit mode. */
  static List<AckResult> ackAll(Connection c, OutboxTables tables, List<AckBatch> batches)
      throws SQLException {
    if (batches.size() == 1) {
      return List.of(ack(c, tables, batches.get(0)));
    }
    Statements sql = statements(tables);
    return Jdbc.inTransaction(
        c,
        tx -> {
          List<AckResult> results = new ArrayList<>(batches.size());
          for (AckBatch b : batches) {
            results.add(write(tx, sql, b));
          }
          return results;
        });
  }

  private static Statements statements(OutboxTables tables) {
    return STATEMENTS.computeIfAbsent(tables, Statements::of);
  }

  private static AckResult write(Connection c, Statements sql, AckBatch b) throws SQLException {
    Set<Long> sent = Set.of();
    Set<Long> retried = Set.of();
    Set<Long> dead = Set.of();
    if (!b.sent().isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(sql.markSent())) {
        ps.setObject(1, PostgresDialect.utc(b.now()));
        ps.setArray(2, c.createArrayOf("bigint", b.sent().toArray()));
        ps.setObject(3, b.leaseToken());
        bindCreated(ps, 4, b);
        sent = ids(ps);
      }
    }
    if (!b.retries().isEmpty()) {
      retried = reschedule(c, sql.reschedule(), b);
    }
    if (!b.dead().isEmpty()) {
      dead = moveToDead(c, sql.moveToDead(), b);
    }
    return new AckResult(sent, retried, dead);
  }

  private static Set<Long> reschedule(Connection c, String sql, AckBatch b) throws SQLException {
    List<AckBatch.Retry> rows = b.retries();
    Object[] ids = new Object[rows.size()];
    Object[] next = new Object[rows.size()];
    Object[] errors = new Object[rows.size()];
    Object[] uncharged = new Object[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ids[i] = rows.get(i).id();
      next[i] = rows.get(i).nextAttemptAt().toString();
      errors[i] = rows.get(i).error();
      uncharged[i] = rows.get(i).uncharged();
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setArray(1, c.createArrayOf("bigint", ids));
      ps.setArray(2, c.createArrayOf("timestamptz", next));
      ps.setArray(3, c.createArrayOf("text", errors));
      ps.setArray(4, c.createArrayOf("boolean", uncharged));
      ps.setObject(5, b.leaseToken());
      bindCreated(ps, 6, b);
      return ids(ps);
    }
  }

  private static Set<Long> moveToDead(Connection c, String sql, AckBatch b) throws SQLException {
    List<AckBatch.Dead> rows = b.dead();
    Object[] ids = new Object[rows.size()];
    Object[] reasons = new Object[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ids[i] = rows.get(i).id();
      reasons[i] = rows.get(i).reason();
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setArray(1, c.createArrayOf("bigint", ids));
      ps.setArray(2, c.createArrayOf("text", reasons));
      ps.setObject(3, b.leaseToken());
      bindCreated(ps, 4, b);
      ps.setObject(6, PostgresDialect.utc(b.now()));
      return ids(ps);
    }
  }

  /** Binds the batch's creation-time bounds at {@code i} and {@code i + 1}. */
  private static void bindCreated(PreparedStatement ps, int i, AckBatch b) throws SQLException {
    boolean known = b.createdFrom() != null;
    ps.setString(i, known ? b.createdFrom().toString() : "-infinity");
    ps.setString(i + 1, known ? b.createdTo().toString() : "infinity");
  }

  private static Set<Long> ids(PreparedStatement ps) throws SQLException {
    Set<Long> ids = new HashSet<>();
    try (ResultSet rs = RelayPlanSettings.execute(ps)) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }
}
