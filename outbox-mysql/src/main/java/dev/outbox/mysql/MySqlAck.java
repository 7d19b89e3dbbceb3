package dev.outbox.mysql;

import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Writes the outcomes of one batch in one READ COMMITTED transaction. MySQL has no {@code UPDATE …
 * RETURNING}, so the rows still carrying the batch's lease token are locked first: they are the
 * rows this relay still owns, and every write after that is limited to them (and fenced by the
 * token again), so the result says exactly which rows were written. A batch that is all sent skips
 * the locking read when its fenced update writes every row (see {@link #write}).
 */
final class MySqlAck {
  private MySqlAck() {}

  /*
   * Every statement reaches the rows through the primary key (FORCE INDEX): a scan of the whole
   * table, which the optimizer may choose while the table is small, would wait on rows other
   * transactions hold, such as a producer's uncommitted insert.
   */

  /** Locks the batch's rows that still carry its lease token; the others were taken over. */
  private static final String LOCK_OWNED =
      """
      SELECT id FROM %s FORCE INDEX (PRIMARY)
       WHERE id IN (%s) AND lease_token = ? AND created_at BETWEEN ? AND ?
         FOR UPDATE
      """;

  private static final String MARK_SENT =
      """
      UPDATE %s FORCE INDEX (PRIMARY)
         SET status = 1, sent_at = ?, lease_token = NULL, lease_until = NULL
       WHERE id IN (%s) AND lease_token = ? AND created_at BETWEEN ? AND ?
      """;

  /** One statement for all retries: each row's due time and error are picked by its id. */
  private static final String RESCHEDULE =
      """
      UPDATE %1$s FORCE INDEX (PRIMARY)
         SET next_attempt_at = CASE id %2$s END, last_error = CASE id %2$s END,
             attempts = attempts - CASE id %2$s END, lease_token = NULL, lease_until = NULL
       WHERE id IN (%3$s) AND lease_token = ? AND created_at BETWEEN ? AND ?
      """;

  /**
   * Copies the rows, each with its reason, into the dead-letter table. replay_count goes with them,
   * so a replayed message that dies again still says how often it came back.
   */
  private static final String COPY_TO_DEAD =
      """
      INSERT INTO %2$s (original_id, message_id, topic, msg_key, payload, headers, created_at,
                        attempts, reason, dead_at, replay_count)
      SELECT id, message_id, topic, msg_key, payload, headers, created_at, attempts,
             CASE id %3$s END, ?, replay_count
        FROM %1$s FORCE INDEX (PRIMARY)
       WHERE id IN (%4$s) AND lease_token = ? AND created_at BETWEEN ? AND ?
      """;

  /**
   * Multi-table syntax, the form of DELETE that MySQL accepts an index hint in; the table is named
   * in full, not by an alias, which MariaDB would look up in the connection's default database.
   */
  private static final String DELETE_OWNED =
      """
      DELETE %1$s FROM %1$s FORCE INDEX (PRIMARY)
       WHERE id IN (%2$s) AND lease_token = ? AND created_at BETWEEN ? AND ?
      """;

  private static final String WHEN_ID = "WHEN ? THEN ?";

  /** The widest DATETIME(6) range, for a batch whose creation times are not known. */
  private static final String EARLIEST = "1000-01-01 00:00:00.000000";

  private static final String LATEST = "9999-12-31 23:59:59.999999";

  /**
   * Writes {@code b} on {@code c}, which is inside a transaction that has not started yet.
   *
   * <p>The common batch, every record sent and the lease still held, is one fenced {@code UPDATE}:
   * when it writes every row, this relay owned them all and the result is exact. When it writes
   * fewer (some were taken over), it is rolled back and the batch is written the careful way,
   * locking the owned rows first.
   */
  static AckResult write(Connection c, String table, String deadTable, AckBatch b)
      throws SQLException {
    Sql.readCommittedNext(c);
    if (b.retries().isEmpty() && b.dead().isEmpty()) {
      if (markSent(c, table, b.sent(), b) == b.sent().size()) {
        return new AckResult(Set.copyOf(b.sent()), Set.of(), Set.of());
      }
      c.rollback();
      Sql.readCommittedNext(c);
    }
    Set<Long> owned = lockOwned(c, table, b);
    List<Long> sent = b.sent().stream().filter(owned::contains).toList();
    List<AckBatch.Retry> retries =
        b.retries().stream().filter(r -> owned.contains(r.id())).toList();
    List<AckBatch.Dead> dead = b.dead().stream().filter(d -> owned.contains(d.id())).toList();
    if (!sent.isEmpty()) {
      expectRows("mark sent", sent.size(), markSent(c, table, sent, b));
    }
    if (!retries.isEmpty()) {
      reschedule(c, table, retries, b);
    }
    if (!dead.isEmpty()) {
      moveToDead(c, table, deadTable, dead, b);
    }
    return new AckResult(
        Set.copyOf(sent), ids(retries, AckBatch.Retry::id), ids(dead, AckBatch.Dead::id));
  }

  private static Set<Long> lockOwned(Connection c, String table, AckBatch b) throws SQLException {
    List<Long> all = new ArrayList<>(b.sent());
    b.retries().forEach(r -> all.add(r.id()));
    b.dead().forEach(d -> all.add(d.id()));
    String sql = String.format(LOCK_OWNED, table, Sql.repeat("?", all.size()));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = Sql.bindIds(ps, 1, all);
      ps.setString(i, b.leaseToken().toString());
      bindCreated(ps, i + 1, b);
      Set<Long> owned = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          owned.add(rs.getLong(1));
        }
      }
      return owned;
    }
  }

  /** Marks the rows of {@code ids} that still carry the lease token sent; returns how many. */
  private static int markSent(Connection c, String table, List<Long> ids, AckBatch b)
      throws SQLException {
    String sql = String.format(MARK_SENT, table, Sql.repeat("?", ids.size()));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, Sql.utc(b.now()));
      int i = Sql.bindIds(ps, 2, ids);
      ps.setString(i, b.leaseToken().toString());
      bindCreated(ps, i + 1, b);
      return ps.executeUpdate();
    }
  }

  private static void reschedule(Connection c, String table, List<AckBatch.Retry> rows, AckBatch b)
      throws SQLException {
    String whens = String.join(" ", Collections.nCopies(rows.size(), WHEN_ID));
    String sql = String.format(RESCHEDULE, table, whens, Sql.repeat("?", rows.size()));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      for (AckBatch.Retry r : rows) {
        ps.setLong(i++, r.id());
        ps.setString(i++, Sql.utc(r.nextAttemptAt()));
      }
      for (AckBatch.Retry r : rows) {
        ps.setLong(i++, r.id());
        ps.setString(i++, r.error());
      }
      // A message retried through no fault of its own gets its attempt back.
      for (AckBatch.Retry r : rows) {
        ps.setLong(i++, r.id());
        ps.setInt(i++, r.uncharged() ? 1 : 0);
      }
      i = Sql.bindIds(ps, i, ids(rows, AckBatch.Retry::id));
      ps.setString(i, b.leaseToken().toString());
      bindCreated(ps, i + 1, b);
      expectRows("reschedule", rows.size(), ps.executeUpdate());
    }
  }

  private static void moveToDead(
      Connection c, String table, String deadTable, List<AckBatch.Dead> rows, AckBatch b)
      throws SQLException {
    List<Long> ids = rows.stream().map(AckBatch.Dead::id).toList();
    String whens = String.join(" ", Collections.nCopies(rows.size(), WHEN_ID));
    String copy = String.format(COPY_TO_DEAD, table, deadTable, whens, Sql.repeat("?", ids.size()));
    try (PreparedStatement ps = c.prepareStatement(copy)) {
      int i = 1;
      for (AckBatch.Dead d : rows) {
        ps.setLong(i++, d.id());
        ps.setString(i++, d.reason());
      }
      ps.setString(i++, Sql.utc(b.now()));
      i = Sql.bindIds(ps, i, ids);
      ps.setString(i, b.leaseToken().toString());
      bindCreated(ps, i + 1, b);
      expectRows("copy to the dead-letter table", rows.size(), ps.executeUpdate());
    }
    String delete = String.format(DELETE_OWNED, table, Sql.repeat("?", ids.size()));
    try (PreparedStatement ps = c.prepareStatement(delete)) {
      int i = Sql.bindIds(ps, 1, ids);
      ps.setString(i, b.leaseToken().toString());
      bindCreated(ps, i + 1, b);
      expectRows("delete dead-lettered rows", ids.size(), ps.executeUpdate());
    }
  }

  /**
   * Binds the batch's creation-time bounds ({@link AckBatch#createdFrom()}) to a statement's {@code
   * created_at BETWEEN ? AND ?} at {@code i} and {@code i + 1}: every ack statement has one, so
   * that only the partitions that can hold the batch are read instead of each id being looked up in
   * every partition.
   */
  private static void bindCreated(PreparedStatement ps, int i, AckBatch b) throws SQLException {
    boolean known = b.createdFrom() != null;
    ps.setString(i, known ? Sql.utc(b.createdFrom()) : EARLIEST);
    ps.setString(i + 1, known ? Sql.utc(b.createdTo()) : LATEST);
  }

  /**
   * The rows were locked by this transaction, so every write must hit all of them; anything else
   * rolls the whole ack back rather than, say, deleting a message that was not dead-lettered.
   */
  private static void expectRows(String what, int expected, int actual) throws SQLException {
    if (actual != expected) {
      throw new SQLException(
          "outbox ack: " + what + " changed " + actual + " rows, expected " + expected);
    }
  }

  private static <T> Set<Long> ids(List<T> rows, ToLongFunction<T> id) {
    Set<Long> ids = new HashSet<>();
    rows.forEach(r -> ids.add(id.applyAsLong(r)));
    return ids;
  }
}
