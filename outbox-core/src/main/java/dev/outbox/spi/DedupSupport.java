package dev.outbox.spi;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * "Has this (scope, key) been recorded recently?" answered in the caller's transaction, over a
 * dedup table that needs no unique index growing forever: retention drops whole partitions. What
 * the consumer inbox ({@code dev.outbox.inbox.Inbox}) is built on; any other "once per key within a
 * window" feature can use its own table of the same shape.
 *
 * <p>A dedup table has the columns {@code scope varchar(255)}, {@code dedup_key varchar(255)},
 * {@code slot smallint}, {@code bucket bigint}, {@code record_id} (a UUID), {@code created_at} and
 * {@code expires_at} (times), all NOT NULL, primary key {@code (scope, dedup_key, slot)}, and is
 * list-partitioned on {@code slot} into four partitions, slots 0 to 3. The shipped inbox migrations
 * create one; their scripts take the table name as the placeholder {@value DedupTable#PLACEHOLDER}.
 *
 * <p><b>The ring.</b> Time is cut into buckets of the window {@code W} ({@link DedupRing#bucket}),
 * bucket {@code b} lives in slot {@code b mod 4} and its rows expire at the start of bucket {@code
 * b + 2}. A call in bucket {@code b} writes two rows for its (scope, key): one in the slot of
 * {@code b} and one in the slot of {@code b - 1}, then looks for another record's row in those two
 * slots. Two calls therefore meet when they are at most one bucket apart, and never when they are
 * two or more apart: <b>a record is found for at least {@code W} and at most {@code 2W} after it
 * was made</b>. The second row is what makes concurrent first calls at a bucket boundary safe: one
 * in {@code b - 1} and one in {@code b} both write the slot of {@code b - 1}, so the primary key
 * makes the second wait for the first and then see it.
 *
 * <p>Every party that uses one table must use the same window, and their clocks must agree to well
 * within it. Implementations are stateless and thread-safe.
 */
public interface DedupSupport {

  /**
   * Records (scope, key) as {@code recordId} in the caller's transaction on {@code c}, unless
   * another record of it is live; never commits, rolls back or closes {@code c}.
   *
   * <ol>
   *   <li>Upserts the rows (slot of {@code b}, bucket {@code b}) and (slot of {@code b - 1}, bucket
   *       {@code b - 1}), {@code b} being {@code now}'s bucket, each with {@code record_id =
   *       recordId}, {@code created_at = now} and {@code expires_at} = {@link DedupRing#expiry} of
   *       its bucket. A row already in that slot for (scope, key) is overwritten only when its
   *       bucket differs (a stale row that retention has not dropped yet), and kept otherwise.
   *   <li>Finds the (scope, key) rows of those two slots whose record id is not {@code recordId},
   *       locked: from what the upsert returns, or by a read with a lock ({@code FOR UPDATE}) (see
   *       {@link JdbcDedupSupport.UpsertReport}). If there is one, the key was recorded before:
   *       this call's own rows are deleted again and the earlier record is returned.
   * </ol>
   *
   * <p>A concurrent call for the same (scope, key) waits at the upsert until this transaction ends;
   * if this one commits, that one then finds its record, and if it rolls back, that one is first.
   * Under PostgreSQL's REPEATABLE READ or SERIALIZABLE the waiting call fails with a serialization
   * error instead (SQLState 40001): the caller rolls back and retries.
   *
   * @param c the caller's connection, in a transaction (not in auto-commit mode)
   * @param table the dedup table
   * @param scope what the key is unique within, such as a consumer's name; 1 to 255 characters
   * @param key the key, such as a message id; 1 to 255 characters
   * @param recordId the id of this record, fresh for every call
   * @param now the caller's clock, truncated to microseconds
   * @param window the window {@code W}, from {@link DedupRing#MIN_WINDOW} to {@link
   *     DedupRing#MAX_WINDOW}, whole milliseconds
   * @return the earlier record when (scope, key) is a duplicate, or null when this call is the
   *     first
   * @throws IllegalArgumentException if an argument is refused ({@link DedupRing#checkRecord})
   */
  DedupRecord recordOnce(
      Connection c,
      DedupTable table,
      String scope,
      String key,
      UUID recordId,
      Instant now,
      Duration window)
      throws SQLException;

  /**
   * Retention: empties each partition of {@code table} whose rows have all expired ({@code
   * expires_at <= now}), so that the table holds about two buckets' worth of records. Partitions
   * that hold a live row are left alone, and an implementation waits only briefly for a partition's
   * locks and skips it when they are not granted, so that a run never stalls the callers of {@link
   * #recordOnce}; the next run tries again. Call it periodically: hourly for windows of a day or
   * more, and at least once per window. Until it runs, expired rows take room but are never taken
   * for live ones (a stale row is overwritten by the next record of its key).
   *
   * @param c a connection in auto-commit mode; left so
   * @param now the caller's clock
   * @return how many rows were removed
   */
  int expire(Connection c, DedupTable table, Instant now) throws SQLException;
}
