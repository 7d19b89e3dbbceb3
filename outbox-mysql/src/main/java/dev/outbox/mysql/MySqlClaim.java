package dev.outbox.mysql;

import dev.outbox.OutboxRecord;
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
import java.util.Collections;
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
 *   <li>{@link #NEXT_KEYS}: the next keys after the last one visited, a loose index scan of {@code
 *       pending_key_run_idx} (one index dive a key, whatever the number of rows under it);
 *   <li>{@link #RUN}: for those keys, the first few pending rows of each in id order, with whether
 *       each is claimable now (a non-locking read, one statement for all the keys); a key whose
 *       rows were all claimable and that has room left is read further, doubling each time, so the
 *       reads stay within about twice what the runs return plus a few rows a key;
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
   * the index and is skipped by the filter; there are at most as many as are in flight.
   */
  private static final String LOCK_DUE =
      """
      SELECT m.id, m.message_id, m.topic, m.msg_key, m.payload, m.headers, m.created_at,
             m.attempts
        FROM %1$s m FORCE INDEX (pending_idx)
       WHERE m.status = 0 AND m.next_attempt_at <= ?
         AND (m.lease_until IS NULL OR m.lease_until <= ?)
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
         AND (m.lease_until IS NULL OR m.lease_until <= ?)
       ORDER BY m.id
       LIMIT ?
         FOR UPDATE SKIP LOCKED
      """;

  /**
   * The next keys with pending rows, in key order: a loose index scan ("Using index for group-by")
   * that jumps from key to key and stops after {@code LIMIT} keys, so a key costs one dive however
   * many rows it holds. Keys whose rows are all leased or not due are returned too, and count
   * towards the bound on keys a claim visits.
   */
  private static final String NEXT_KEYS =
      """
      SELECT msg_key FROM %1$s FORCE INDEX (pending_key_run_idx)
       WHERE status = 0 AND %2$s
       GROUP BY status, msg_key
       ORDER BY status, msg_key
       LIMIT ?
      """;

  /**
   * One key's first pending rows in id order after an id (up to {@code LIMIT}), with whether each
   * is claimable now; {@code pos} tags the key by its place in the walk, so that no key is compared
   * in Java (utf8mb4_bin pads with spaces). The first rows of several keys are one statement, one
   * such part a key joined by UNION ALL; each part is a range of the index that stops at its LIMIT.
   * ORDER BY id alone, as in {@link #LOCK_UNKEYED}.
   */
  private static final String RUN =
      """
      (SELECT ? AS pos, id, created_at,
              next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) AS ok
         FROM %1$s FORCE INDEX (pending_key_run_idx)
        WHERE status = 0 AND msg_key = ? AND id > ?
        ORDER BY id
        LIMIT ?)
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

  /** The fewest rows first read of a key's run: enough to see a short run end. */
  private static final int MIN_HEAD_ROWS = 2;

  /** Claims on {@code c}, in auto-commit mode. */
  static ClaimResult claim(Connection c, String table, ClaimRequest r) throws SQLException {
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
    return String.format(LOCK_DUE, table);
  }

  /** The locking SELECT of the messages without a key on {@code table}. */
  static String lockUnkeyedSql(String table) {
    return String.format(LOCK_UNKEYED, table);
  }

  /** The key walk's statement on {@code table}, from the first key or after a cursor. */
  static String nextKeysSql(String table, boolean afterCursor) {
    return String.format(NEXT_KEYS, table, afterCursor ? "msg_key > ?" : "msg_key IS NOT NULL");
  }

  /** The statement reading the first rows of the runs of {@code keys} keys on {@code table}. */
  static String runsSql(String table, int keys) {
    String part = String.format(RUN, table).strip();
    return String.join(" UNION ALL ", Collections.nCopies(keys, part));
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
    while (claimed.size() < target && visited < maxKeys) {
      int room = target - claimed.size();
      // Keys are fetched a few more than there is room for, as some may yield nothing.
      int want = Math.min(2 * room + 16, maxKeys - visited);
      List<String> keys = nextKeys(c, table, last, want);
      if (keys.isEmpty()) {
        break;
      }
      List<List<Row>> runs = readRuns(c, table, r, keys, room);
      visited += runs.size();
      last = keys.get(runs.size() - 1);
      List<OutboxRecord> locked = lockRuns(c, table, r, runs);
      claimed.addAll(locked);
      if (keys.size() < want && runs.size() == keys.size()) {
        break; // visited the last key
      }
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
    try (PreparedStatement ps = c.prepareStatement(lockDueSql(table))) {
      String now = Sql.utc(r.now());
      ps.setString(1, now);
      ps.setString(2, now);
      ps.setInt(3, r.batchSize());
      return readClaimed(ps, r.batchSize());
    }
  }

  private static List<OutboxRecord> lockUnkeyed(
      Connection c, String table, ClaimRequest r, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(lockUnkeyedSql(table))) {
      String now = Sql.utc(r.now());
      ps.setString(1, now);
      ps.setString(2, now);
      ps.setInt(3, limit);
      return readClaimed(ps, limit);
    }
  }

  private static List<String> nextKeys(Connection c, String table, String after, int limit)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(nextKeysSql(table, after != null))) {
      int i = 1;
      if (after != null) {
        ps.setString(i++, after);
      }
      ps.setInt(i, limit);
      List<String> keys = new ArrayList<>(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      return keys;
    }
  }

  /** A pending row of a run as the non-locking read saw it. */
  private record Row(long id, String createdAt, boolean ok) {}

  /**
   * The runs of {@code keys}, in key order, until they hold {@code room} rows: one list a visited
   * key (possibly empty), so the number of lists is the number of keys visited. Each key is read a
   * few rows first (all keys in one statement); a key whose rows were all claimable and that could
   * use more is read on, doubling, one statement a step.
   */
  private static List<List<Row>> readRuns(
      Connection c, String table, ClaimRequest r, List<String> keys, int room) throws SQLException {
    int head = Math.max(MIN_HEAD_ROWS, (room + keys.size() - 1) / keys.size());
    List<List<Row>> heads = readRuns(c, table, r, keys, head, 0);
    List<List<Row>> runs = new ArrayList<>();
    int need = room;
    for (int k = 0; k < keys.size() && need > 0; k++) {
      List<Row> read = heads.get(k);
      List<Row> run = new ArrayList<>();
      boolean open = takeOk(read, run, need);
      boolean more = open && read.size() == head;
      while (more && run.size() < need) {
        int step = Math.min(need - run.size(), run.size());
        long after = run.get(run.size() - 1).id();
        List<Row> next = readRuns(c, table, r, List.of(keys.get(k)), step, after).get(0);
        more = takeOk(next, run, need) && next.size() == step;
      }
      runs.add(run);
      need -= run.size();
    }
    return runs;
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

  /** Up to {@code limit} pending rows of each key after {@code afterId}, one list a key. */
  private static List<List<Row>> readRuns(
      Connection c, String table, ClaimRequest r, List<String> keys, int limit, long afterId)
      throws SQLException {
    String now = Sql.utc(r.now());
    List<List<Row>> parts = new ArrayList<>(keys.size());
    try (PreparedStatement ps = c.prepareStatement(runsSql(table, keys.size()))) {
      int i = 1;
      for (int k = 0; k < keys.size(); k++) {
        parts.add(new ArrayList<>());
        ps.setInt(i++, k);
        ps.setString(i++, now);
        ps.setString(i++, now);
        ps.setString(i++, keys.get(k));
        ps.setLong(i++, afterId);
        ps.setInt(i++, limit);
      }
      Map<Integer, List<Row>> byPos = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Row row =
              new Row(
                  rs.getLong("id"),
                  Sql.utc(Sql.instant(rs.getObject("created_at", LocalDateTime.class))),
                  rs.getBoolean("ok"));
          byPos.computeIfAbsent(rs.getInt("pos"), p -> new ArrayList<>()).add(row);
        }
      }
      for (Map.Entry<Integer, List<Row>> e : byPos.entrySet()) {
        List<Row> rows = e.getValue();
        rows.sort(Comparator.comparingLong(Row::id));
        parts.set(e.getKey(), rows);
      }
    }
    return parts;
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
