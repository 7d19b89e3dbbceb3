package dev.outbox.postgres;

import static dev.outbox.postgres.PostgresDialect.quote;

import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.DedupTable;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.JdbcDedupSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dedup tables on PostgreSQL (see {@link DedupSupport}): one {@code INSERT … ON CONFLICT DO UPDATE
 * … RETURNING} for the two rows, which also returns the other record that holds the key, if any,
 * and retention by {@code TRUNCATE} of a whole slot partition.
 *
 * <p>The slots are literals in the statements (see {@link JdbcDedupSupport}): a generic plan with
 * bound slots would lock all four partitions, and every open consumer transaction would then keep
 * retention from truncating any of them.
 *
 * <p>Under READ COMMITTED, a call that conflicts with a concurrent one's uncommitted row waits, and
 * then sees the committed row (ON CONFLICT reads the latest version). Under REPEATABLE READ and
 * SERIALIZABLE, PostgreSQL fails the waiting call with SQLState 40001 when the other committed: a
 * serialization failure to retry, never a second first time.
 */
final class PostgresDedup extends JdbcDedupSupport {
  static final PostgresDedup INSTANCE = new PostgresDedup();

  private static final Logger log = LoggerFactory.getLogger(PostgresDedup.class);

  /**
   * How long retention waits for a slot partition's lock before it leaves the partition for the
   * next run. Requests queue behind a waiting lock request, so this is also the longest a consumer
   * that writes into that partition (only one whose clock lags) can be held up.
   */
  static final Duration LOCK_TIMEOUT = Duration.ofMillis(200);

  /**
   * Rows (slot of b, bucket b) and (slot of b - 1, bucket b - 1); %2$d and %3$d are the slots. A
   * conflicting row is overwritten when it is stale (another bucket) and otherwise kept as it is,
   * but still updated, so that it is locked and returned: the statement itself tells whether
   * another record holds the key, with no second query.
   */
  private static final String UPSERT =
      """
      INSERT INTO %1$s AS d (scope, dedup_key, slot, bucket, record_id, created_at, expires_at)
      VALUES (?, ?, %2$d, ?, ?, ?, ?), (?, ?, %3$d, ?, ?, ?, ?)
      ON CONFLICT (scope, dedup_key, slot) DO UPDATE
         SET record_id = CASE WHEN d.bucket <> EXCLUDED.bucket THEN EXCLUDED.record_id
                              ELSE d.record_id END,
             created_at = CASE WHEN d.bucket <> EXCLUDED.bucket THEN EXCLUDED.created_at
                               ELSE d.created_at END,
             expires_at = CASE WHEN d.bucket <> EXCLUDED.bucket THEN EXCLUDED.expires_at
                               ELSE d.expires_at END,
             bucket = EXCLUDED.bucket
      RETURNING record_id, created_at
      """;

  /** The table's partitions, from the catalog; none when it is not partitioned. */
  private static final String PARTITIONS =
      """
      SELECT c.oid IS NOT NULL, n.nspname, p.relname
        FROM (SELECT to_regclass(?) AS oid) t
        LEFT JOIN pg_class c ON c.oid = t.oid
        LEFT JOIN pg_inherits i ON i.inhparent = c.oid
        LEFT JOIN pg_class p ON p.oid = i.inhrelid AND p.relispartition
        LEFT JOIN pg_namespace n ON n.oid = p.relnamespace
       ORDER BY p.relname
      """;

  /** Unlocked: whether the partition has rows, and whether any is live. */
  private static final String PROBE =
      "SELECT EXISTS (SELECT 1 FROM %1$s), EXISTS (SELECT 1 FROM %1$s WHERE expires_at > ?)";

  private static final String SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', ?, true)";
  private static final String LOCK = "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE";
  private static final String COUNT =
      "SELECT count(*), count(*) FILTER (WHERE expires_at > ?) FROM %s";
  private static final String TRUNCATE = "TRUNCATE %s";

  /** SQLSTATE undefined_table. */
  private static final String UNDEFINED_TABLE = "42P01";

  private PostgresDedup() {
    super(UPSERT, UpsertReport.ROWS, PostgresTypes.INSTANCE, PostgresDedup::qualify);
  }

  private static String qualify(DedupTable t) {
    return t.schema() == null ? quote(t.table()) : quote(t.schema()) + '.' + quote(t.table());
  }

  /**
   * Truncates each slot partition whose rows have all expired. A partition is first probed without
   * a lock (empty, or holding a live row: left alone); then, in a transaction of its own, locked
   * with a {@link #LOCK_TIMEOUT lock timeout}, counted, checked again under the lock and truncated.
   * A partition whose lock is not granted in time (a consumer transaction still writes into it) is
   * skipped until the next run. The count under the lock reads the whole partition once; nothing
   * but a consumer with a lagging clock writes into an expired slot, so no one waits for it.
   *
   * @return the rows removed: those of the truncated partitions
   */
  @Override
  public int expire(Connection c, DedupTable table, Instant now) throws SQLException {
    long removed = 0;
    for (String partition : partitions(c, table)) {
      if (!allExpired(c, partition, now)) {
        continue;
      }
      try {
        removed += Jdbc.inTransaction(c, tx -> truncateIfExpired(tx, partition, now));
      } catch (SQLException e) {
        if (!PostgresPartitions.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
          throw e;
        }
        log.debug("Dedup table {}: {} is in use, left for the next run", table, partition);
      }
    }
    return (int) Math.min(removed, Integer.MAX_VALUE);
  }

  private List<String> partitions(Connection c, DedupTable table) throws SQLException {
    List<String> partitions = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(PARTITIONS)) {
      ps.setString(1, qualified(table));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!rs.getBoolean(1)) {
            throw new SQLException(
                "dedup table " + table + " does not exist; migrate it first", UNDEFINED_TABLE);
          }
          if (rs.getString(3) != null) {
            partitions.add(quote(rs.getString(2)) + '.' + quote(rs.getString(3)));
          }
        }
      }
    }
    return partitions;
  }

  private static boolean allExpired(Connection c, String partition, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(String.format(PROBE, partition))) {
      ps.setObject(1, PostgresDialect.utc(now));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1) && !rs.getBoolean(2);
      }
    }
  }

  private static long truncateIfExpired(Connection tx, String partition, Instant now)
      throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement(SET_LOCK_TIMEOUT)) {
      ps.setString(1, LOCK_TIMEOUT.toMillis() + "ms");
      ps.execute();
    }
    try (Statement s = tx.createStatement()) {
      s.execute(String.format(LOCK, partition));
    }
    long rows;
    try (PreparedStatement ps = tx.prepareStatement(String.format(COUNT, partition))) {
      ps.setObject(1, PostgresDialect.utc(now));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getLong(2) > 0) {
          return 0; // a live row arrived between the probe and the lock
        }
        rows = rs.getLong(1);
      }
    }
    try (Statement s = tx.createStatement()) {
      s.execute(String.format(TRUNCATE, partition));
    }
    return rows;
  }
}
