package dev.outbox.mysql;

import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.DedupTable;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.JdbcDedupSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Dedup tables on MySQL and MariaDB (see {@link DedupSupport}): an {@code INSERT … ON DUPLICATE KEY
 * UPDATE} for the two rows, then, only when it met another record's row, {@link JdbcDedupSupport}'s
 * locking read, and retention by batched deletes of a slot partition. Times are bound as UTC text
 * and UUIDs as {@code CHAR(36)} text, like the rest of the dialect.
 *
 * <p>A call that conflicts with a concurrent one's uncommitted row waits at the insert for its row
 * lock, whatever the isolation level: an {@code INSERT … ON DUPLICATE KEY UPDATE} and a {@code
 * SELECT … FOR UPDATE} are locking reads, which read the latest committed row, not the
 * transaction's snapshot. So a concurrent duplicate is seen under REPEATABLE READ too.
 */
final class MySqlDedup extends JdbcDedupSupport {
  static final MySqlDedup INSTANCE = new MySqlDedup();

  /** Rows deleted per statement (and transaction) by retention. */
  static final int DELETE_BATCH = 5000;

  /**
   * Rows (slot of b, bucket b) and (slot of b - 1, bucket b - 1); %2$d and %3$d are the slots,
   * written as literals so the statement touches only those partitions. The assignments are
   * evaluated left to right with the values already assigned, so {@code bucket}, which the others
   * compare with, is assigned last; a row of the same bucket is left as it is. {@code VALUES(col)}
   * is what both servers accept (MySQL 8.0.20+ deprecates it for a row alias, which MariaDB lacks).
   * A row of another record that is live sets {@code LAST_INSERT_ID(1)}, which the server returns
   * with the statement's result as its generated key: only then does the locking read follow. The
   * table has no AUTO_INCREMENT column, so a statement that meets no live row returns none.
   */
  private static final String UPSERT =
      """
      INSERT INTO %1$s (scope, dedup_key, slot, bucket, record_id, created_at, expires_at)
      VALUES (?, ?, %2$d, ?, ?, ?, ?), (?, ?, %3$d, ?, ?, ?, ?)
      ON DUPLICATE KEY UPDATE
        record_id = IF(bucket <> VALUES(bucket), VALUES(record_id), record_id),
        created_at = IF(bucket <> VALUES(bucket), VALUES(created_at), created_at),
        expires_at = IF(bucket <> VALUES(bucket), VALUES(expires_at), expires_at),
        bucket = IF(bucket <> VALUES(bucket), VALUES(bucket), bucket + 0 * LAST_INSERT_ID(1))
      """;

  private static final String PARTITIONS =
      """
      SELECT partition_name
        FROM information_schema.partitions
       WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?
       ORDER BY partition_ordinal_position
      """;

  /** A consistent (non-locking) read: whether the partition has rows, and whether any is live. */
  private static final String PROBE =
      """
      SELECT EXISTS (SELECT 1 FROM %1$s PARTITION (%2$s)),
             EXISTS (SELECT 1 FROM %1$s PARTITION (%2$s) WHERE expires_at > ?)
      """;

  private static final String DELETE_EXPIRED =
      "DELETE FROM %s PARTITION (%s) WHERE expires_at <= ? LIMIT " + DELETE_BATCH;

  /** SQLSTATE base table or view not found. */
  private static final String NO_SUCH_TABLE = "42S02";

  private MySqlDedup() {
    super(UPSERT, UpsertReport.CONFLICT_AS_GENERATED_KEY, MySqlTypes.INSTANCE, MySqlDedup::qualify);
  }

  private static String qualify(DedupTable t) {
    return t.schema() == null
        ? Sql.quote(t.table())
        : Sql.quote(t.schema()) + '.' + Sql.quote(t.table());
  }

  /**
   * Deletes the rows of each slot partition whose rows have all expired, in batches of {@value
   * #DELETE_BATCH}, each its own READ COMMITTED transaction (so a batch locks only the rows it
   * deletes, and no gaps). A partition is probed first with a consistent read and left alone when
   * it is empty or holds a live row; each delete still deletes only expired rows, so a row written
   * meanwhile (by a consumer whose clock lags) is kept.
   *
   * <p>Not {@code ALTER TABLE … TRUNCATE PARTITION}: that needs the table's metadata lock
   * exclusively, so it would wait behind every open transaction that touched the table, consumer
   * transactions included, and every consumer would then queue behind it.
   *
   * @return the rows removed
   */
  @Override
  public int expire(Connection c, DedupTable table, Instant now) throws SQLException {
    String name = qualified(table);
    long removed = 0;
    for (String partition : partitions(c, table)) {
      String quoted = Sql.quote(partition);
      if (!allExpired(c, name, quoted, now)) {
        continue;
      }
      int deleted;
      do {
        deleted = Jdbc.inTransaction(c, tx -> deleteBatch(tx, name, quoted, now));
        removed += deleted;
      } while (deleted == DELETE_BATCH);
    }
    return (int) Math.min(removed, Integer.MAX_VALUE);
  }

  private List<String> partitions(Connection c, DedupTable table) throws SQLException {
    List<String> partitions = new ArrayList<>();
    boolean exists = false;
    try (PreparedStatement ps = c.prepareStatement(PARTITIONS)) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          exists = true;
          if (rs.getString(1) != null) {
            partitions.add(rs.getString(1));
          }
        }
      }
    }
    if (!exists) {
      throw new SQLException(
          "dedup table " + table + " does not exist; migrate it first", NO_SUCH_TABLE);
    }
    return partitions;
  }

  private static boolean allExpired(Connection c, String table, String partition, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(String.format(PROBE, table, partition))) {
      ps.setString(1, Sql.utc(now));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1) && !rs.getBoolean(2);
      }
    }
  }

  private static int deleteBatch(Connection tx, String table, String partition, Instant now)
      throws SQLException {
    Sql.readCommittedNext(tx);
    try (PreparedStatement ps =
        tx.prepareStatement(String.format(DELETE_EXPIRED, table, partition))) {
      ps.setString(1, Sql.utc(now));
      return ps.executeUpdate();
    }
  }
}
