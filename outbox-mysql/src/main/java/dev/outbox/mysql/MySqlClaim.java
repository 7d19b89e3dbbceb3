package dev.outbox.mysql;

import dev.outbox.OutboxRecord;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.HeaderCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Claims a batch in one READ COMMITTED transaction: {@code SELECT … FOR UPDATE SKIP LOCKED} locks
 * the due rows, then an {@code UPDATE} stamps the lease on exactly those rows. Two statements
 * because MySQL has no {@code UPDATE … RETURNING}; the row locks make them as good as one.
 */
final class MySqlClaim {
  private MySqlClaim() {}

  /**
   * Locks up to {@code batchSize} due pending rows in id order, skipping rows other relays or
   * uncommitted producers hold. FORCE INDEX because a queue table's statistics swing between
   * "everything pending" and "everything sent": a plan that scans the primary key in id order would
   * read through the whole sent history.
   *
   * <p>A leased row is recognized by {@code lease_until} rather than by a {@code next_attempt_at}
   * moved to the end of the lease: the claim then changes no indexed column, so InnoDB updates the
   * clustered record in place and leaves both pending indexes alone (moving {@code next_attempt_at}
   * would delete-mark and re-insert the row's {@code pending_idx} entry on every claim). A leased
   * row stays in the index and is skipped by the filter; there are at most as many as are in
   * flight.
   */
  private static final String LOCK_DUE =
      """
      SELECT m.id, m.message_id, m.topic, m.msg_key, m.payload, m.headers, m.created_at,
             m.attempts
        FROM %1$s m FORCE INDEX (pending_idx)
       WHERE m.status = 0 AND m.next_attempt_at <= ?
         AND (m.lease_until IS NULL OR m.lease_until <= ?) %2$s
       ORDER BY m.id
       LIMIT ?
         FOR UPDATE SKIP LOCKED
      """;

  /**
   * With per-key ordering a row is only a candidate when no older pending row has its key: that row
   * is due, leased or waiting for a retry, and must be delivered first. The subquery is a plain
   * (non-locking) read of the last committed rows, so a row another relay is claiming right now
   * still counts as pending.
   */
  private static final String OLDER_SAME_KEY_PENDING =
      """
      AND (m.msg_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM %1$s o WHERE o.msg_key = m.msg_key AND o.status = 0 AND o.id < m.id))
      """;

  /**
   * Stamps the lease on the locked rows, found by primary key: (id, created_at), so that only their
   * partitions are read. No indexed column changes (see {@link #LOCK_DUE}).
   */
  private static final String STAMP_LEASE =
      """
      UPDATE %s FORCE INDEX (PRIMARY)
         SET attempts = attempts + 1, lease_token = ?, lease_until = ?
       WHERE (id, created_at) IN (%s)
      """;

  /**
   * Claims on {@code c}, which is inside a transaction that has not started yet.
   *
   * @return the claimed records in id order, their attempt counts including this attempt
   */
  static List<OutboxRecord> claim(Connection c, String table, ClaimRequest r) throws SQLException {
    Sql.readCommittedNext(c);
    List<OutboxRecord> claimed = lockDue(c, table, r);
    if (!claimed.isEmpty()) {
      stampLease(c, table, claimed, r);
    }
    return claimed;
  }

  /** The locking SELECT of a claim on {@code table}, with or without the per-key condition. */
  static String lockDueSql(String table, boolean perKey) {
    return String.format(
        LOCK_DUE, table, perKey ? String.format(OLDER_SAME_KEY_PENDING, table) : "");
  }

  private static List<OutboxRecord> lockDue(Connection c, String table, ClaimRequest r)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(lockDueSql(table, r.perKey()))) {
      String now = Sql.utc(r.now());
      ps.setString(1, now);
      ps.setString(2, now);
      ps.setInt(3, r.batchSize());
      List<OutboxRecord> claimed = new ArrayList<>(r.batchSize());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(claimedRecord(rs));
        }
      }
      return claimed;
    }
  }

  /** The record as the claim leaves it: its attempt count already includes this attempt. */
  private static OutboxRecord claimedRecord(ResultSet rs) throws SQLException {
    return new OutboxRecord(
        rs.getLong("id"),
        UUID.fromString(rs.getString("message_id")),
        rs.getString("topic"),
        rs.getString("msg_key"),
        rs.getBytes("payload"),
        HeaderCodec.decode(rs.getString("headers")),
        Sql.instant(rs.getObject("created_at", LocalDateTime.class)),
        rs.getInt("attempts") + 1);
  }

  private static void stampLease(
      Connection c, String table, List<OutboxRecord> claimed, ClaimRequest r) throws SQLException {
    String sql = String.format(STAMP_LEASE, table, Sql.repeat("(?, ?)", claimed.size()));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, r.leaseToken().toString());
      ps.setString(2, Sql.utc(r.leaseUntil()));
      int i = 3;
      for (OutboxRecord record : claimed) {
        ps.setLong(i++, record.id());
        ps.setString(i++, Sql.utc(record.createdAt()));
      }
      int stamped = ps.executeUpdate();
      if (stamped != claimed.size()) {
        throw new SQLException(
            "outbox claim stamped " + stamped + " of " + claimed.size() + " locked rows");
      }
    }
  }
}
