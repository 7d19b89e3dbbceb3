package dev.outbox.mysql;

import dev.outbox.OutboxRecord;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.HeaderCodec;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.KeyWalk;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Claims a batch in READ COMMITTED transactions. MySQL has no {@code UPDATE … RETURNING}, so every
 * claim locks its rows with {@code SELECT … FOR UPDATE SKIP LOCKED} and then stamps the lease on
 * exactly those rows with an {@code UPDATE}; the row locks make the two as good as one.
 *
 * <p>Without per-key ordering the lock is the whole claim: the oldest due rows in id order.
 *
 * <p>With per-key ordering the claim takes runs (see {@link dev.outbox.spi.OutboxDialect#claim}):
 * for each key, in key order after the cursor, its pending rows in id order from the oldest, up to
 * the first that is not due, is leased or could not be locked. MariaDB has no {@code LATERAL}, so
 * the walk is a loop of a few plain statements in one transaction, each reading only what it needs:
 *
 * <ol>
 *   <li>{@link #RANGE}: the pending rows of the keys after the last one visited, in key and id
 *       order, with whether each is claimable now: one non-locking range read of {@code
 *       pending_key_run_idx}, about twice the room left, whatever the number of keys it spans; a
 *       run that fills the read is read on with {@link #RUN}, doubling each time. A read that ended
 *       inside a key whose oldest row could not be claimed (held by another relay) is followed by
 *       reads of one row, each next key's oldest, until one can be claimed: held keys then cost a
 *       row each, not a read each;
 *   <li>{@link #LOCK_RUNS}: the runs' rows by primary key, {@code FOR UPDATE SKIP LOCKED},
 *       rechecked; each key keeps the prefix of its run that was locked, so that no run has a gap
 *       (a row another relay holds, or that changed since it was read, cuts the run there; rows
 *       locked but not kept are released at commit).
 * </ol>
 *
 * The loop stops when the batch is full or after {@link KeyWalk#maxKeys} keys. A relay that lost
 * rows to another relay's lock walks on to the next keys. The non-locking read is safe to plan
 * with: a row only ever leaves the pending state, so no pending row older than the run's first can
 * appear before the lock, and the lock rechecks every row it keeps. Messages without a key are the
 * {@code msg_key IS NULL} range of the same index, locked before or after the runs. Every read
 * walks the {@code status = 0} part of an index, so sent rows, however many, are never read.
 *
 * <p>Paused topics ({@link ClaimRequest#pausedTopics()}) add {@code topic NOT IN (?, …)}, one
 * placeholder a topic, only when something is paused, so the statements of the common case are
 * unchanged. Without per-key order paused rows are skipped. In the per-key walk a paused row is not
 * claimable, like a row that is not due: a key whose oldest pending row is paused yields nothing
 * and a run ends before its first paused row, so no later message of the key overtakes it. The lock
 * need not recheck the topic: a row's topic never changes.
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
   * clustered record in place and leaves the pending indexes alone (moving {@code next_attempt_at}
   * would delete-mark and re-insert the row's index entries on every claim). A leased row stays in
   * the index and is skipped by the filter; there are at most as many as are in flight, and a relay
   * with batches in flight starts the range after its last claim ({@code afterId}) instead of
   * reading through them.
   */
  private static final String LOCK_DUE =
      """
      SELECT m.id, m.message_id, m.topic, m.msg_key, m.payload, m.headers, m.created_at,
             m.attempts
        FROM %1$s m FORCE INDEX (pending_idx)
       WHERE m.status = 0 AND m.scheduled = 0 AND m.id > ? AND m.next_attempt_at <= ?
         AND (m.lease_until IS NULL OR m.lease_until <= ?)%2$s
       ORDER BY m.id
       LIMIT ?
         FOR UPDATE SKIP LOCKED
      """;

  /**
   * The oldest due messages without a key, in id order, locked: the {@code msg_key IS NULL} range
   * of the pending key index, so that keyed rows are not read. ORDER BY id alone: on a partitioned
   * table MariaDB sorts when the ORDER BY also names the constant prefix.
   */
  private static final String LOCK_UNKEYED =
      """
      SELECT m.id, m.message_id, m.topic, m.msg_key, m.payload, m.headers, m.created_at,
             m.attempts
        FROM %1$s m FORCE INDEX (pending_key_run_idx)
       WHERE m.status = 0 AND m.msg_key IS NULL AND m.next_attempt_at <= ?
         AND (m.lease_until IS NULL OR m.lease_until <= ?)%2$s
       ORDER BY m.id
       LIMIT ?
         FOR UPDATE SKIP LOCKED
      """;

  /**
   * The pending rows of the keys after a key, in key and id order, with whether each is claimable
   * now, up to {@code LIMIT}: one range of the index however many keys it spans, and sent rows are
   * not in it. Many short runs cost one read; a long run fills the read and is read on by {@link
   * #RUN}; a key whose oldest row is not claimable costs at most the rest of one read.
   */
  private static final String RANGE =
      """
      SELECT msg_key, id, created_at,
             next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)%3$s AS ok
        FROM %1$s FORCE INDEX (pending_key_run_idx)
       WHERE status = 0 AND %2$s
       ORDER BY msg_key, id
       LIMIT ?
      """;

  /**
   * One key's pending rows in id order after an id (up to {@code LIMIT}), with whether each is
   * claimable now: a range of the index that stops at its LIMIT. ORDER BY id alone, as in {@link
   * #LOCK_UNKEYED}.
   */
  private static final String RUN =
      """
      SELECT id, created_at,
             next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)%2$s AS ok
        FROM %1$s FORCE INDEX (pending_key_run_idx)
       WHERE status = 0 AND msg_key = ? AND id > ?
       ORDER BY id
       LIMIT ?
      """;

  /**
   * Locks the runs' rows by primary key, rechecking that each is still pending, due and not leased:
   * between the non-locking read and this lock another relay may have claimed or acknowledged it.
   * SKIP LOCKED leaves out rows another transaction holds.
   */
  private static final String LOCK_RUNS =
      """
      SELECT m.id, m.message_id, m.topic, m.msg_key, m.payload, m.headers, m.created_at,
             m.attempts
        FROM %1$s m FORCE INDEX (PRIMARY)
       WHERE (m.id, m.created_at) IN (%2$s)
         AND m.status = 0 AND m.next_attempt_at <= ?
         AND (m.lease_until IS NULL OR m.lease_until <= ?)
         FOR UPDATE SKIP LOCKED
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

  /** Claims on {@code c}, in auto-commit mode. */
  static ClaimResult claim(Connection c, String table, ClaimRequest r) throws SQLException {
    if (r.pausedTopics().contains(AdminSupport.ALL_TOPICS)) {
      return ClaimResult.none(r.keyCursor()); // the relay does not ask, but nothing may be claimed
    }
    if (!r.perKey()) {
      List<OutboxRecord> claimed =
          Jdbc.inTransaction(
              c,
              tx -> {
                Sql.readCommittedNext(tx);
                List<OutboxRecord> locked = lockDue(tx, table, r);
                stampLease(tx, table, locked, r);
                return locked;
              });
      return new ClaimResult(claimed, null, false);
    }
    return KeyWalk.claim(
        r,
        (cursor, unkeyed, target) ->
            Jdbc.inTransaction(c, tx -> walk(tx, table, r, cursor, unkeyed, target)));
  }

  /** The locking SELECT of the claim without per-key ordering on {@code table}. */
  static String lockDueSql(String table) {
    return lockDueSql(table, 0);
  }

  /**
   * {@link #lockDueSql(String)} leaving out {@code paused} topics, bound after the lease time. With
   * none paused, the statement is exactly the one without pauses: the hot path does not change.
   */
  static String lockDueSql(String table, int paused) {
    return String.format(LOCK_DUE, table, notPaused("m.", paused));
  }

  /** The locking SELECT of the messages without a key on {@code table}. */
  static String lockUnkeyedSql(String table) {
    return lockUnkeyedSql(table, 0);
  }

  /** {@link #lockUnkeyedSql(String)} leaving out {@code paused} topics, bound after the lease. */
  static String lockUnkeyedSql(String table, int paused) {
    return String.format(LOCK_UNKEYED, table, notPaused("m.", paused));
  }

  /** The range read of the walk on {@code table}, from the first key or after a key. */
  static String rangeSql(String table, boolean afterKey) {
    return rangeSql(table, afterKey, 0);
  }

  /**
   * {@link #rangeSql(String, boolean)} where a row of one of {@code paused} topics (bound after the
   * two times) is not claimable: it ends its key's run like a row that is not due.
   */
  static String rangeSql(String table, boolean afterKey, int paused) {
    return String.format(
        RANGE, table, afterKey ? "msg_key > ?" : "msg_key IS NOT NULL", notPaused("", paused));
  }

  /** The statement reading on one key's run on {@code table}. */
  static String runSql(String table) {
    return runSql(table, 0);
  }

  /** {@link #runSql(String)} where a row of one of {@code paused} topics is not claimable. */
  static String runSql(String table, int paused) {
    return String.format(RUN, table, notPaused("", paused));
  }

  /**
   * The condition that leaves out {@code paused} topics, one placeholder each; empty when none is
   * paused. The topic is not in the pending indexes, so with a pause the claim reads each candidate
   * row (it reads them anyway for {@code lease_until}).
   */
  static String notPaused(String alias, int paused) {
    return paused == 0 ? "" : " AND " + alias + "topic NOT IN (" + Sql.repeat("?", paused) + ")";
  }

  /** Binds the paused topics from parameter {@code first} on; returns the next index. */
  private static int bindPaused(PreparedStatement ps, int first, List<String> paused)
      throws SQLException {
    int i = first;
    for (String topic : paused) {
      ps.setString(i++, topic);
    }
    return i;
  }

  /**
   * One pass of a per-key claim in the current transaction: messages without a key as {@code
   * unkeyed} says and the runs of the keys after {@code cursor}, up to {@code target} messages.
   */
  private static ClaimResult walk(
      Connection c,
      String table,
      ClaimRequest r,
      String cursor,
      KeyWalk.Unkeyed unkeyed,
      int target)
      throws SQLException {
    Sql.readCommittedNext(c);
    List<OutboxRecord> claimed = new ArrayList<>(target);
    if (unkeyed == KeyWalk.Unkeyed.FIRST) {
      claimed.addAll(lockUnkeyed(c, table, r, target));
    }
    int maxKeys = KeyWalk.maxKeys(r.batchSize());
    int visited = 0;
    String last = cursor;
    boolean reachedLastKey = false;
    boolean probe = false;
    while (claimed.size() < target && visited < maxKeys && !reachedLastKey) {
      if (probe) {
        // The last read ended inside a key whose oldest row could not be claimed (another relay
        // holds it, most likely, and the keys after it too): look at each next key's oldest row
        // alone until one can be claimed, instead of reading a whole range of each held key.
        List<List<Row>> next = readRange(c, table, r, last, 1);
        if (next.isEmpty()) {
          reachedLastKey = true;
          break;
        }
        Row head = next.get(0).get(0);
        if (!head.ok()) {
          visited++;
          last = head.key();
          continue;
        }
        probe = false;
      }
      int room = target - claimed.size();
      int limit = 2 * room + 16;
      List<List<Row>> keys = readRange(c, table, r, last, limit);
      boolean cutShort = keys.stream().mapToInt(List::size).sum() >= limit;
      List<List<Row>> runs = new ArrayList<>();
      int need = room;
      for (int k = 0; k < keys.size() && need > 0 && visited < maxKeys; k++) {
        List<Row> read = keys.get(k);
        List<Row> run = new ArrayList<>();
        if (takeOk(read, run, need) && cutShort && k == keys.size() - 1) {
          readOn(c, table, r, run, need); // the read ended inside this key's run
        }
        runs.add(run);
        need -= run.size();
        visited++;
        last = read.get(0).key();
      }
      reachedLastKey = !cutShort && runs.size() == keys.size();
      probe = cutShort && runs.size() == keys.size() && !keys.get(keys.size() - 1).get(0).ok();
      claimed.addAll(lockRuns(c, table, r, runs));
    }
    if (unkeyed == KeyWalk.Unkeyed.AFTER && claimed.size() < target) {
      claimed.addAll(lockUnkeyed(c, table, r, target - claimed.size()));
    }
    stampLease(c, table, claimed, r);
    claimed.sort(Comparator.comparingLong(OutboxRecord::id));

    return KeyWalk.result(claimed, target, cursor, visited, last, r.batchSize());
  }

  private static List<OutboxRecord> lockDue(Connection c, String table, ClaimRequest r)
      throws SQLException {
    List<String> paused = List.copyOf(r.pausedTopics());
    try (PreparedStatement ps = c.prepareStatement(lockDueSql(table, paused.size()))) {
      String now = Sql.utc(r.now());
      ps.setLong(1, r.afterId());
      ps.setString(2, now);
      ps.setString(3, now);
      ps.setInt(bindPaused(ps, 4, paused), r.batchSize());
      return readClaimed(ps, r.batchSize());
    }
  }

  private static List<OutboxRecord> lockUnkeyed(
      Connection c, String table, ClaimRequest r, int limit) throws SQLException {
    List<String> paused = List.copyOf(r.pausedTopics());
    try (PreparedStatement ps = c.prepareStatement(lockUnkeyedSql(table, paused.size()))) {
      String now = Sql.utc(r.now());
      ps.setString(1, now);
      ps.setString(2, now);
      ps.setInt(bindPaused(ps, 3, paused), limit);
      return readClaimed(ps, limit);
    }
  }

  /**
   * Up to {@code limit} pending rows of the keys after {@code after}, one list a key in key order.
   * Keys that the collation holds equal (utf8mb4_bin ignores trailing spaces) are one key, as they
   * are to every other statement of the claim.
   */
  private static List<List<Row>> readRange(
      Connection c, String table, ClaimRequest r, String after, int limit) throws SQLException {
    List<String> paused = List.copyOf(r.pausedTopics());
    try (PreparedStatement ps = c.prepareStatement(rangeSql(table, after != null, paused.size()))) {
      String now = Sql.utc(r.now());
      int i = 1;
      ps.setString(i++, now);
      ps.setString(i++, now);
      i = bindPaused(ps, i, paused);
      if (after != null) {
        ps.setString(i++, after);
      }
      ps.setInt(i, limit);
      List<List<Row>> keys = new ArrayList<>();
      String current = null;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString("msg_key");
          String same = stripTrailingSpaces(key);
          if (!same.equals(current)) {
            keys.add(new ArrayList<>());
            current = same;
          }
          keys.get(keys.size() - 1).add(row(rs, key));
        }
      }
      return keys;
    }
  }

  private static String stripTrailingSpaces(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(0, end);
  }

  /** A pending row of a run as the non-locking read saw it. */
  private record Row(String key, long id, String createdAt, boolean ok) {}

  private static Row row(ResultSet rs, String key) throws SQLException {
    return new Row(
        key,
        rs.getLong("id"),
        Sql.utc(Sql.instant(rs.getObject("created_at", LocalDateTime.class))),
        rs.getBoolean("ok"));
  }

  /**
   * Reads on a run that filled the range read, doubling each step, until it holds {@code need} rows
   * or ends: one statement a step, so a long run costs about twice what it returns.
   */
  private static void readOn(Connection c, String table, ClaimRequest r, List<Row> run, int need)
      throws SQLException {
    boolean more = true;
    while (more && run.size() < need) {
      int step = Math.min(need - run.size(), run.size());
      Row end = run.get(run.size() - 1);
      List<Row> next = readRun(c, table, r, end.key(), step, end.id());
      more = takeOk(next, run, need) && next.size() == step;
    }
  }

  /**
   * Appends to {@code run} the leading claimable rows of {@code read}, up to {@code need} in all;
   * whether the run may go on after them (no row that is not claimable ended it).
   */
  private static boolean takeOk(List<Row> read, List<Row> run, int need) {
    for (Row row : read) {
      if (!row.ok()) {
        return false;
      }
      if (run.size() >= need) {
        return true;
      }
      run.add(row);
    }
    return true;
  }

  /** Up to {@code limit} pending rows of {@code key} after {@code afterId}, in id order. */
  private static List<Row> readRun(
      Connection c, String table, ClaimRequest r, String key, int limit, long afterId)
      throws SQLException {
    String now = Sql.utc(r.now());
    List<String> paused = List.copyOf(r.pausedTopics());
    try (PreparedStatement ps = c.prepareStatement(runSql(table, paused.size()))) {
      ps.setString(1, now);
      ps.setString(2, now);
      int i = bindPaused(ps, 3, paused);
      ps.setString(i++, key);
      ps.setLong(i++, afterId);
      ps.setInt(i, limit);
      List<Row> rows = new ArrayList<>(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs, key));
        }
      }
      return rows;
    }
  }

  /** Locks the rows of {@code runs} and keeps, for each key, the prefix of its run it locked. */
  private static List<OutboxRecord> lockRuns(
      Connection c, String table, ClaimRequest r, List<List<Row>> runs) throws SQLException {
    List<Row> rows = runs.stream().flatMap(List::stream).toList();
    if (rows.isEmpty()) {
      return List.of();
    }
    String sql = String.format(LOCK_RUNS, table, Sql.repeat("(?, ?)", rows.size()));
    Map<Long, OutboxRecord> locked = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      for (Row row : rows) {
        ps.setLong(i++, row.id());
        ps.setString(i++, row.createdAt());
      }
      String now = Sql.utc(r.now());
      ps.setString(i++, now);
      ps.setString(i, now);
      for (OutboxRecord record : readClaimed(ps, rows.size())) {
        locked.put(record.id(), record);
      }
    }
    List<OutboxRecord> kept = new ArrayList<>(locked.size());
    for (List<Row> run : runs) {
      for (Row row : run) {
        OutboxRecord record = locked.get(row.id());
        if (record == null) {
          break; // a gap: the rest of this run waits for the next claim
        }
        kept.add(record);
      }
    }
    return kept;
  }

  private static List<OutboxRecord> readClaimed(PreparedStatement ps, int expected)
      throws SQLException {
    List<OutboxRecord> claimed = new ArrayList<>(expected);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        claimed.add(claimedRecord(rs));
      }
    }
    return claimed;
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
    if (claimed.isEmpty()) {
      return;
    }
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
