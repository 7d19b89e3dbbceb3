package dev.outbox.mysql;

import dev.outbox.OutboxTables;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.admin.TopicCounts;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.HeaderCodec;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.RelayHeartbeat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The admin operations on MySQL and MariaDB. The statements of each {@link OutboxTables} are built
 * once ({@link Statements}); filters only append fixed conditions to them. Pending rows are always
 * reached through the {@code status = 0} part of {@code pending_idx} (status, id, next_attempt_at)
 * or {@code pending_key_run_idx} (status, msg_key, id, next_attempt_at), so no read here walks the
 * sent history except the two that must: {@link #messagesById} (the message id is not indexed) and
 * the "sent recently" count of {@link #topicCounts} (the partitions enlisted within the window).
 *
 * <p>States at {@code now}, as the claim sees them: LEASED when {@code lease_until > now}, else
 * WAITING when {@code next_attempt_at > now}, else DUE; status 1 is SENT.
 *
 * <p>Changes of more than one row run in one READ COMMITTED transaction (no gap locks, so producers
 * and relays are never blocked by an admin's range read); they lock the rows they change with
 * {@code FOR UPDATE}, recheck them, and then write exactly the rows they locked, by primary key, so
 * the reported count is what was written. Times are bound as UTC text, as everywhere in the
 * dialect.
 */
final class MySqlAdmin implements AdminSupport {

  static final MySqlAdmin INSTANCE = new MySqlAdmin();

  /** Most ids in one {@code IN} list of a replay or purge. */
  static final int CHUNK = 1000;

  private final Map<OutboxTables, Statements> statements = new ConcurrentHashMap<>();

  private MySqlAdmin() {}

  /** The statements of {@code tables}, built on first use; package-private for the harness. */
  Statements sql(OutboxTables tables) {
    return statements.computeIfAbsent(tables, Statements::new);
  }

  private static final String MESSAGE_COLUMNS =
      "id, message_id, topic, msg_key, status, attempts, created_at, next_attempt_at, last_error,"
          + " lease_token, lease_until, sent_at, LENGTH(payload) AS payload_size, headers";

  private static final String DEAD_COLUMNS =
      "id, original_id, message_id, topic, msg_key, created_at, attempts, reason, dead_at,"
          + " replay_count, LENGTH(payload) AS payload_size, headers";

  /** The SQL of one set of tables. */
  static final class Statements {
    final String topicPending;
    final String topicDead;
    final String topicSent;
    final String attempts;
    final String relays;
    final String message;
    final String messagesById;
    final String pending;
    final String pendingOfKey;
    final String deadLetter;
    final String deadLetters;
    final String countDead;
    final String lockDead;
    final String existingIds;
    final String replayOriginal;
    final String replayEnd;
    final String deleteDead;
    final String keyHead;
    final String keyPending;
    final String keyDead;
    final String lockRow;
    final String retryRow;
    final String copyToDead;
    final String deleteRow;
    final String pause;
    final String resume;
    final String paused;
    final String pausedTopics;
    final String heartbeat;
    final String leave;

    Statements(OutboxTables t) {
      String m = Sql.qualified(t, t.table());
      String d = Sql.qualified(t, t.deadLetterTable());
      String p = Sql.qualified(t, t.pauseTable());
      String r = Sql.qualified(t, t.relayTable());
      // Every pending row through pending_idx, each row read once for topic and lease_until.
      topicPending =
          "SELECT topic,"
              + " SUM(lease_until IS NOT NULL AND lease_until > ?) AS leased,"
              + " SUM((lease_until IS NULL OR lease_until <= ?) AND next_attempt_at > ?) AS waiting,"
              + " SUM((lease_until IS NULL OR lease_until <= ?) AND next_attempt_at <= ?) AS due"
              + " FROM "
              + m
              + " FORCE INDEX (pending_idx) WHERE status = 0 GROUP BY topic";
      // topic_idx (topic, dead_at) covers it: an index-only scan, no row read.
      topicDead = "SELECT topic, count(*) FROM " + d + " GROUP BY topic";
      // Partition pruning on created_at keeps it to the newest partitions; within them every row
      // is read (nothing indexes created_at or sent_at).
      topicSent =
          "SELECT topic, count(*) FROM "
              + m
              + " WHERE created_at >= ? AND status = 1 GROUP BY topic";
      attempts =
          "SELECT attempts, count(*) FROM "
              + m
              + " FORCE INDEX (pending_idx) WHERE status = 0 GROUP BY attempts";
      relays =
          "SELECT instance, name, host, started_at, seen_at, last_claim_at, in_flight FROM "
              + r
              + " WHERE seen_at >= ? ORDER BY name, instance";
      message = "SELECT " + MESSAGE_COLUMNS + " FROM " + m + " FORCE INDEX (PRIMARY) WHERE id = ?";
      messagesById =
          "SELECT " + MESSAGE_COLUMNS + " FROM " + m + " WHERE message_id = ? ORDER BY id";
      // ORDER BY id alone: on a partitioned table MariaDB sorts when the ORDER BY also names the
      // constant prefix of the index (see MySqlClaim).
      pending =
          "SELECT "
              + MESSAGE_COLUMNS
              + " FROM "
              + m
              + " FORCE INDEX (pending_idx) WHERE status = 0 AND id > ?";
      pendingOfKey =
          "SELECT "
              + MESSAGE_COLUMNS
              + " FROM "
              + m
              + " FORCE INDEX (pending_key_run_idx) WHERE status = 0 AND msg_key = ? AND id > ?";
      deadLetter = "SELECT " + DEAD_COLUMNS + " FROM " + d + " WHERE id = ?";
      deadLetters = "SELECT " + DEAD_COLUMNS + " FROM " + d + " WHERE id < ?";
      countDead = "SELECT count(*) FROM " + d + " WHERE 1 = 1";
      lockDead = "SELECT id, original_id FROM " + d + " WHERE 1 = 1";
      existingIds = "SELECT DISTINCT id FROM " + m + " FORCE INDEX (PRIMARY) WHERE id IN (%s)";
      String replayColumns =
          " message_id, topic, msg_key, payload, headers, created_at, status, attempts,"
              + " next_attempt_at, replay_count)";
      String replayValues =
          " message_id, topic, msg_key, payload, headers, UTC_TIMESTAMP(6), 0, 0, ?,"
              + " replay_count + 1 FROM "
              + d
              + " WHERE id IN (%s) ORDER BY id";
      replayOriginal =
          "INSERT INTO " + m + " (id," + replayColumns + " SELECT original_id," + replayValues;
      replayEnd = "INSERT INTO " + m + " (" + replayColumns + " SELECT" + replayValues;
      deleteDead = "DELETE FROM " + d + " WHERE id IN (%s)";
      keyHead =
          "SELECT "
              + MESSAGE_COLUMNS
              + " FROM "
              + m
              + " FORCE INDEX (pending_key_run_idx) WHERE status = 0 AND msg_key = ?"
              + " ORDER BY id LIMIT 1";
      keyPending =
          "SELECT count(*) FROM (SELECT id FROM "
              + m
              + " FORCE INDEX (pending_key_run_idx) WHERE status = 0 AND msg_key = ? LIMIT ?) k";
      keyDead = "SELECT count(*) FROM " + d + " WHERE msg_key = ?";
      lockRow =
          "SELECT status, lease_until, next_attempt_at FROM "
              + m
              + " FORCE INDEX (PRIMARY) WHERE id = ? AND created_at = ? FOR UPDATE";
      retryRow =
          "UPDATE "
              + m
              + " FORCE INDEX (PRIMARY)"
              + " SET next_attempt_at = CAST(? AS DATETIME(6))"
              + " WHERE id = ? AND created_at = ?";
      copyToDead =
          "INSERT INTO "
              + d
              + " (original_id, message_id, topic, msg_key, payload, headers, created_at, attempts,"
              + " reason, dead_at, replay_count)"
              + " SELECT id, message_id, topic, msg_key, payload, headers, created_at, attempts,"
              + " ?, ?, replay_count FROM "
              + m
              + " FORCE INDEX (PRIMARY) WHERE id = ? AND created_at = ?";
      // Multi-table syntax, as in MySqlAck: the form of DELETE that takes an index hint.
      deleteRow =
          "DELETE " + m + " FROM " + m + " FORCE INDEX (PRIMARY) WHERE id = ? AND created_at = ?";
      // VALUES(): MariaDB has no row alias (INSERT … AS new); MySQL 8 still accepts VALUES().
      pause =
          "INSERT INTO "
              + p
              + " (topic, paused_at, reason) VALUES (?, ?, ?)"
              + " ON DUPLICATE KEY UPDATE reason = VALUES(reason)";
      resume = "DELETE FROM " + p + " WHERE topic = ?";
      paused = "SELECT topic, paused_at, reason FROM " + p + " ORDER BY topic";
      pausedTopics = "SELECT topic FROM " + p;
      heartbeat =
          "INSERT INTO "
              + r
              + " (instance, name, host, started_at, seen_at, last_claim_at, in_flight)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name),"
              + " host = VALUES(host), started_at = VALUES(started_at), seen_at = VALUES(seen_at),"
              + " last_claim_at = VALUES(last_claim_at), in_flight = VALUES(in_flight)";
      leave = "DELETE FROM " + r + " WHERE instance = ? OR seen_at < ?";
    }
  }

  // ---- the overview ----

  /**
   * Three reads merged by topic: every pending row once, through {@code pending_idx} and the row
   * (topic and lease_until are not in the index); the dead letters' {@code topic_idx}, index only;
   * and the sent rows enlisted since {@code sentSince}, in the partitions that pruning on {@code
   * created_at} leaves (all of their rows: nothing indexes created_at).
   */
  @Override
  public List<TopicCounts> topicCounts(
      Connection c, OutboxTables tables, Instant now, Instant sentSince) throws SQLException {
    Statements s = sql(tables);
    Map<String, long[]> counts = new TreeMap<>();
    String at = Sql.utc(now);
    try (PreparedStatement ps = c.prepareStatement(s.topicPending)) {
      for (int i = 1; i <= 5; i++) {
        ps.setString(i, at);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long[] n = counts.computeIfAbsent(rs.getString(1), k -> new long[5]);
          n[1] = rs.getLong("leased");
          n[2] = rs.getLong("waiting");
          n[0] = rs.getLong("due");
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(s.topicDead);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        counts.computeIfAbsent(rs.getString(1), k -> new long[5])[3] = rs.getLong(2);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(s.topicSent)) {
      ps.setString(1, Sql.utc(sentSince));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.computeIfAbsent(rs.getString(1), k -> new long[5])[4] = rs.getLong(2);
        }
      }
    }
    List<TopicCounts> topics = new ArrayList<>(counts.size());
    counts.forEach((t, n) -> topics.add(new TopicCounts(t, n[0], n[1], n[2], n[3], n[4], false)));
    return topics;
  }

  /** Every pending row once: {@code pending_idx}'s status = 0 range and each row for attempts. */
  @Override
  public SortedMap<Integer, Long> attempts(Connection c, OutboxTables tables) throws SQLException {
    SortedMap<Integer, Long> byAttempts = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql(tables).attempts);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        byAttempts.put(rs.getInt(1), rs.getLong(2));
      }
    }
    return byAttempts;
  }

  /** The relay table, a row per running relay: read whole. */
  @Override
  public List<RelayView> relays(Connection c, OutboxTables tables, Instant seenSince)
      throws SQLException {
    List<RelayView> relays = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql(tables).relays)) {
      ps.setString(1, Sql.utc(seenSince));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          relays.add(
              new RelayView(
                  rs.getLong("instance"),
                  rs.getString("name"),
                  rs.getString("host"),
                  instant(rs, "started_at"),
                  instant(rs, "seen_at"),
                  instant(rs, "last_claim_at"),
                  rs.getInt("in_flight")));
        }
      }
    }
    return relays;
  }

  // ---- messages ----

  /**
   * The primary key (id, created_at) by its first column: one lookup in each partition, since the
   * id does not say which partition holds it.
   */
  @Override
  public Optional<MessageView> message(Connection c, OutboxTables tables, long id, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).message)) {
      ps.setLong(1, id);
      List<MessageView> found = messages(ps, now);
      return found.stream().findFirst();
    }
  }

  /**
   * The whole message table, pending and sent: message_id is not indexed (an index would slow every
   * enlist for a lookup an operator makes now and then).
   */
  @Override
  public List<MessageView> messagesById(
      Connection c, OutboxTables tables, UUID messageId, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).messagesById)) {
      ps.setString(1, messageId.toString());
      return messages(ps, now);
    }
  }

  /**
   * Without a key, {@code pending_idx}'s status = 0 range in id order from {@code afterId}; with a
   * key, that key's range of {@code pending_key_run_idx}, in id order. Both stop after {@code
   * limit} matches. The state is decided from the index (next_attempt_at) and the row
   * (lease_until); topic and error are read from the row, so a filter that matches few rows reads
   * on through the backlog (never the sent rows).
   */
  @Override
  public List<MessageView> pending(
      Connection c, OutboxTables tables, MessageFilter filter, long afterId, int limit, Instant now)
      throws SQLException {
    Statements s = sql(tables);
    StringBuilder q = new StringBuilder(filter.key() == null ? s.pending : s.pendingOfKey);
    List<Object> params = new ArrayList<>();
    if (filter.key() != null) {
      params.add(filter.key());
    }
    params.add(afterId);
    if (filter.topic() != null) {
      q.append(" AND topic = ?");
      params.add(filter.topic());
    }
    String at = Sql.utc(now);
    if (filter.state() != null) {
      switch (filter.state()) {
        case LEASED -> {
          q.append(" AND lease_until > ?");
          params.add(at);
        }
        case WAITING -> {
          q.append(" AND (lease_until IS NULL OR lease_until <= ?) AND next_attempt_at > ?");
          params.add(at);
          params.add(at);
        }
        case DUE -> {
          q.append(" AND (lease_until IS NULL OR lease_until <= ?) AND next_attempt_at <= ?");
          params.add(at);
          params.add(at);
        }
        default -> throw new IllegalArgumentException("not a pending state: " + filter.state());
      }
    }
    if (filter.errorContains() != null) {
      // INSTR under the column's utf8mb4_bin collation: case-sensitive, no LIKE wildcards.
      q.append(" AND INSTR(last_error, ?) > 0");
      params.add(filter.errorContains());
    }
    q.append(" ORDER BY id LIMIT ?");
    params.add(limit);
    try (PreparedStatement ps = c.prepareStatement(q.toString())) {
      bind(ps, params);
      return messages(ps, now);
    }
  }

  // ---- dead letters ----

  /** The dead-letter table's primary key. */
  @Override
  public Optional<DeadLetterView> deadLetter(Connection c, OutboxTables tables, long id)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).deadLetter)) {
      ps.setLong(1, id);
      List<DeadLetterView> found = deadLetters(ps);
      return found.stream().findFirst();
    }
  }

  /**
   * The primary key backwards from {@code beforeId}, stopping after {@code limit} matches; with a
   * topic, the optimizer may instead read that topic's entries of {@code topic_idx} (topic,
   * dead_at) and sort them by id; with a key, those of {@code key_idx}; with ids, those primary-key
   * entries.
   */
  @Override
  public List<DeadLetterView> deadLetters(
      Connection c, OutboxTables tables, DeadLetterFilter filter, long beforeId, int limit)
      throws SQLException {
    StringBuilder q = new StringBuilder(sql(tables).deadLetters);
    List<Object> params = new ArrayList<>();
    params.add(beforeId);
    where(filter, q, params);
    q.append(" ORDER BY id DESC LIMIT ?");
    params.add(limit);
    try (PreparedStatement ps = c.prepareStatement(q.toString())) {
      bind(ps, params);
      return deadLetters(ps);
    }
  }

  /**
   * Reads the matching dead letters as {@link #deadLetters} does (all of them, locked, ids and
   * original ids only), looks their original ids up in the message table's primary key (one lookup
   * a partition each, for {@link ReplayPlacement#ORIGINAL}), then copies them back by primary key,
   * {@value #CHUNK} at a time, and deletes them. A dry run counts the matches and reads the first
   * {@value Change#SAMPLE} ids.
   */
  @Override
  public Change replay(
      Connection c,
      OutboxTables tables,
      DeadLetterFilter filter,
      ReplayPlacement placement,
      Instant now,
      boolean dryRun)
      throws SQLException {
    if (dryRun) {
      return count(c, tables, filter);
    }
    Statements s = sql(tables);
    return Jdbc.inTransaction(
        c,
        tx -> {
          Sql.readCommittedNext(tx);
          Map<Long, Long> locked = lockDead(tx, s, filter); // dead id -> original id, in id order
          if (locked.isEmpty()) {
            return new Change(0, false, List.of());
          }
          List<Long> atOriginal = new ArrayList<>();
          List<Long> atEnd = new ArrayList<>();
          if (placement == ReplayPlacement.ORIGINAL) {
            Set<Long> taken = existing(tx, s, List.copyOf(locked.values()));
            for (Map.Entry<Long, Long> e : locked.entrySet()) {
              // taken.add: two dead letters of one original id (not normally possible) get it once
              (taken.add(e.getValue()) ? atOriginal : atEnd).add(e.getKey());
            }
          } else {
            atEnd.addAll(locked.keySet());
          }
          String at = Sql.utc(now);
          long copied = inChunks(tx, s.replayOriginal, atOriginal, at);
          copied += inChunks(tx, s.replayEnd, atEnd, at);
          long deleted = inChunks(tx, s.deleteDead, List.copyOf(locked.keySet()), null);
          if (copied != locked.size() || deleted != locked.size()) {
            throw new SQLException(
                "outbox replay copied "
                    + copied
                    + " and deleted "
                    + deleted
                    + " of "
                    + locked.size()
                    + " locked dead letters; rolled back");
          }
          return new Change(locked.size(), false, sample(locked.keySet()));
        });
  }

  /**
   * As {@link #replay}: the matching dead letters are read and locked, then deleted by primary key,
   * so that exactly the rows counted are deleted (not those that died meanwhile).
   */
  @Override
  public Change purge(Connection c, OutboxTables tables, DeadLetterFilter filter, boolean dryRun)
      throws SQLException {
    if (dryRun) {
      return count(c, tables, filter);
    }
    Statements s = sql(tables);
    return Jdbc.inTransaction(
        c,
        tx -> {
          Sql.readCommittedNext(tx);
          Map<Long, Long> locked = lockDead(tx, s, filter);
          long deleted = inChunks(tx, s.deleteDead, List.copyOf(locked.keySet()), null);
          if (deleted != locked.size()) {
            throw new SQLException(
                "outbox purge deleted "
                    + deleted
                    + " of "
                    + locked.size()
                    + " locked dead letters");
          }
          return new Change(deleted, false, sample(locked.keySet()));
        });
  }

  // ---- keys ----

  /** The first entry of the key's range of {@code pending_key_run_idx}, then its row. */
  @Override
  public Optional<MessageView> keyHead(Connection c, OutboxTables tables, String key, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).keyHead)) {
      ps.setString(1, key);
      List<MessageView> found = messages(ps, now);
      return found.stream().findFirst();
    }
  }

  /** The key's range of {@code pending_key_run_idx}, index only, up to {@code cap} entries. */
  @Override
  public long keyPending(Connection c, OutboxTables tables, String key, long cap)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).keyPending)) {
      ps.setString(1, key);
      ps.setLong(2, cap);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The key's entries of the dead-letter table's {@code key_idx}, index only. */
  @Override
  public long keyDeadLetters(Connection c, OutboxTables tables, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).keyDead)) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * As {@link #keyHead}, then the head's row by primary key {@code FOR UPDATE}, rechecked: a claim
   * that took it meanwhile has leased it (left alone); an ack that sent or dead-lettered it makes
   * the next row the head, which is looked up again. While the lock is held a claim skips the row
   * (SKIP LOCKED) and with it the rest of the key. A head that is waiting (neither leased nor due)
   * gets {@code next_attempt_at = now}; a head that is due already is left as it is and not
   * counted.
   */
  @Override
  public Change retryHead(
      Connection c, OutboxTables tables, String key, Instant now, boolean dryRun)
      throws SQLException {
    Statements s = sql(tables);
    return onHead(
        c,
        s,
        key,
        now,
        dryRun,
        state -> state == MessageState.WAITING,
        (tx, head) -> {
          try (PreparedStatement ps = tx.prepareStatement(s.retryRow)) {
            ps.setString(1, Sql.utc(now));
            ps.setLong(2, head.id());
            ps.setString(3, Sql.utc(head.createdAt()));
            expect("make the head due", ps.executeUpdate());
          }
        });
  }

  /**
   * As {@link #retryHead}, then the locked row is copied into the dead-letter table (with its
   * replay_count) and deleted, both by primary key.
   */
  @Override
  public Change deadLetterHead(
      Connection c, OutboxTables tables, String key, String reason, Instant now, boolean dryRun)
      throws SQLException {
    Statements s = sql(tables);
    return onHead(
        c,
        s,
        key,
        now,
        dryRun,
        state -> state != MessageState.LEASED,
        (tx, head) -> {
          String createdAt = Sql.utc(head.createdAt());
          try (PreparedStatement ps = tx.prepareStatement(s.copyToDead)) {
            ps.setString(1, reason);
            ps.setString(2, Sql.utc(now));
            ps.setLong(3, head.id());
            ps.setString(4, createdAt);
            expect("copy the head to the dead letters", ps.executeUpdate());
          }
          try (PreparedStatement ps = tx.prepareStatement(s.deleteRow)) {
            ps.setLong(1, head.id());
            ps.setString(2, createdAt);
            expect("delete the head", ps.executeUpdate());
          }
        });
  }

  // ---- pause and resume ----

  /** An upsert on the pause table's primary key that keeps {@code paused_at}. */
  @Override
  public void pause(Connection c, OutboxTables tables, String topic, String reason, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).pause)) {
      ps.setString(1, topic);
      ps.setString(2, Sql.utc(now));
      ps.setString(3, reason);
      ps.executeUpdate();
    }
  }

  /** A delete by the pause table's primary key. */
  @Override
  public boolean resume(Connection c, OutboxTables tables, String topic) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).resume)) {
      ps.setString(1, topic);
      return ps.executeUpdate() > 0;
    }
  }

  /**
   * The pause table, whole, in primary-key order: the empty topic (all topics) sorts first under
   * utf8mb4_bin.
   */
  @Override
  public List<PausedTopic> paused(Connection c, OutboxTables tables) throws SQLException {
    List<PausedTopic> paused = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql(tables).paused);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String topic = rs.getString(1);
        paused.add(
            new PausedTopic(
                ALL_TOPICS.equals(topic) ? null : topic,
                instant(rs, "paused_at"),
                rs.getString("reason")));
      }
    }
    return paused;
  }

  /** The pause table's primary key, whole (a handful of rows). */
  @Override
  public Set<String> pausedTopics(Connection c, OutboxTables tables) throws SQLException {
    Set<String> topics = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(sql(tables).pausedTopics);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        topics.add(rs.getString(1));
      }
    }
    return Set.copyOf(topics);
  }

  // ---- relay heartbeat ----

  /** An upsert on the relay table's primary key. */
  @Override
  public void heartbeat(Connection c, OutboxTables tables, RelayHeartbeat h) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).heartbeat)) {
      ps.setLong(1, h.instance());
      ps.setString(2, h.name());
      ps.setString(3, h.host());
      ps.setString(4, Sql.utc(h.startedAt()));
      ps.setString(5, Sql.utc(h.seenAt()));
      ps.setString(6, h.lastClaimAt() == null ? null : Sql.utc(h.lastClaimAt()));
      ps.setInt(7, h.inFlight());
      ps.executeUpdate();
    }
  }

  /** One delete over the (small) relay table: the instance's row and the stale ones. */
  @Override
  public void leave(Connection c, OutboxTables tables, long instance, Instant staleBefore)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(tables).leave)) {
      ps.setLong(1, instance);
      ps.setString(2, Sql.utc(staleBefore));
      ps.executeUpdate();
    }
  }

  // ---- helpers ----

  /** Appends the filter's conditions (none for an empty filter). */
  private static void where(DeadLetterFilter f, StringBuilder q, List<Object> params) {
    if (!f.ids().isEmpty()) {
      q.append(" AND id IN (").append(Sql.repeat("?", f.ids().size())).append(')');
      params.addAll(f.ids());
    }
    if (f.topic() != null) {
      q.append(" AND topic = ?");
      params.add(f.topic());
    }
    if (f.key() != null) {
      q.append(" AND msg_key = ?");
      params.add(f.key());
    }
    if (f.reasonContains() != null) {
      q.append(" AND INSTR(reason, ?) > 0");
      params.add(f.reasonContains());
    }
    if (f.deadSince() != null) {
      q.append(" AND dead_at >= ?");
      params.add(Sql.utc(f.deadSince()));
    }
    if (f.deadBefore() != null) {
      q.append(" AND dead_at < ?");
      params.add(Sql.utc(f.deadBefore()));
    }
  }

  /** A dry run: how many dead letters match and the first ids. */
  private Change count(Connection c, OutboxTables tables, DeadLetterFilter filter)
      throws SQLException {
    Statements s = sql(tables);
    StringBuilder q = new StringBuilder(s.countDead);
    List<Object> params = new ArrayList<>();
    where(filter, q, params);
    long rows;
    try (PreparedStatement ps = c.prepareStatement(q.toString())) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        rows = rs.getLong(1);
      }
    }
    q = new StringBuilder(s.lockDead);
    params.clear();
    where(filter, q, params);
    q.append(" ORDER BY id LIMIT ").append(Change.SAMPLE);
    List<Long> sample = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(q.toString())) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sample.add(rs.getLong(1));
        }
      }
    }
    return new Change(rows, true, sample);
  }

  /** Locks the matching dead letters; their ids with their original ids, in id order. */
  private static Map<Long, Long> lockDead(Connection c, Statements s, DeadLetterFilter filter)
      throws SQLException {
    StringBuilder q = new StringBuilder(s.lockDead);
    List<Object> params = new ArrayList<>();
    where(filter, q, params);
    q.append(" ORDER BY id FOR UPDATE");
    Map<Long, Long> locked = new java.util.LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(q.toString())) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          locked.put(rs.getLong(1), rs.getLong(2));
        }
      }
    }
    return locked;
  }

  /** Which of {@code ids} are in the message table. */
  private static Set<Long> existing(Connection c, Statements s, List<Long> ids)
      throws SQLException {
    Set<Long> found = new HashSet<>();
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      String q = String.format(s.existingIds, Sql.repeat("?", chunk.size()));
      try (PreparedStatement ps = c.prepareStatement(q)) {
        Sql.bindIds(ps, 1, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.add(rs.getLong(1));
          }
        }
      }
    }
    return found;
  }

  /**
   * Runs {@code template} (an {@code IN (%s)} statement) for {@code ids}, {@value #CHUNK} at a
   * time, with {@code first} bound before the ids when it is not null; the rows changed.
   */
  private static long inChunks(Connection c, String template, List<Long> ids, String first)
      throws SQLException {
    long changed = 0;
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      try (PreparedStatement ps =
          c.prepareStatement(String.format(template, Sql.repeat("?", chunk.size())))) {
        int i = 1;
        if (first != null) {
          ps.setString(i++, first);
        }
        Sql.bindIds(ps, i, chunk);
        changed += ps.executeUpdate();
      }
    }
    return changed;
  }

  private static List<Long> sample(Set<Long> ids) {
    return ids.stream().sorted().limit(Change.SAMPLE).toList();
  }

  /** The head of a key as found and locked. */
  private record Head(long id, Instant createdAt) {}

  @FunctionalInterface
  private interface HeadAction {
    void apply(Connection tx, Head head) throws SQLException;
  }

  /** How often the head is looked up again when it was sent or dead-lettered under us. */
  private static final int HEAD_TRIES = 3;

  /**
   * Finds the key's head, locks its row and rechecks it, then applies {@code action} unless it is
   * leased or this is a dry run: one READ COMMITTED transaction.
   */
  private static Change onHead(
      Connection c,
      Statements s,
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
                Optional<MessageView> head;
                try (PreparedStatement ps = tx.prepareStatement(s.keyHead)) {
                  ps.setString(1, key);
                  List<MessageView> found = messages(ps, now);
                  head = found.stream().findFirst();
                }
                if (head.isEmpty()) {
                  return Optional.of(new Change(0, dryRun, List.of()));
                }
                Head h = new Head(head.get().id(), head.get().createdAt());
                if (dryRun) {
                  return Optional.of(
                      touches.test(head.get().state())
                          ? new Change(1, true, List.of(h.id()))
                          : new Change(0, true, List.of()));
                }
                try (PreparedStatement ps = tx.prepareStatement(s.lockRow)) {
                  ps.setLong(1, h.id());
                  ps.setString(2, Sql.utc(h.createdAt()));
                  try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getInt("status") != 0) {
                      return Optional.<Change>empty(); // sent or dead meanwhile: look again
                    }
                    MessageState locked =
                        MessageView.pendingState(
                            now, instant(rs, "next_attempt_at"), instant(rs, "lease_until"));
                    if (!touches.test(locked)) {
                      return Optional.of(new Change(0, false, List.of()));
                    }
                  }
                }
                action.apply(tx, h);
                return Optional.of(new Change(1, false, List.of(h.id())));
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

  private static void expect(String what, int rows) throws SQLException {
    if (rows != 1) {
      throw new SQLException("outbox admin: " + what + " changed " + rows + " rows, expected 1");
    }
  }

  private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    int i = 1;
    for (Object p : params) {
      if (p instanceof Long l) {
        ps.setLong(i++, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i++, n);
      } else {
        ps.setString(i++, (String) p);
      }
    }
  }

  private static List<MessageView> messages(PreparedStatement ps, Instant now) throws SQLException {
    List<MessageView> found = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Instant next = instant(rs, "next_attempt_at");
        Instant leaseUntil = instant(rs, "lease_until");
        String token = rs.getString("lease_token");
        MessageState state =
            rs.getInt("status") == 1
                ? MessageState.SENT
                : MessageView.pendingState(now, next, leaseUntil);
        found.add(
            new MessageView(
                rs.getLong("id"),
                UUID.fromString(rs.getString("message_id")),
                rs.getString("topic"),
                rs.getString("msg_key"),
                state,
                rs.getInt("attempts"),
                instant(rs, "created_at"),
                next,
                rs.getString("last_error"),
                token == null ? null : UUID.fromString(token),
                leaseUntil,
                null,
                instant(rs, "sent_at"),
                rs.getLong("payload_size"),
                HeaderCodec.decode(rs.getString("headers"))));
      }
    }
    return found;
  }

  private static List<DeadLetterView> deadLetters(PreparedStatement ps) throws SQLException {
    List<DeadLetterView> found = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(
            new DeadLetterView(
                rs.getLong("id"),
                rs.getLong("original_id"),
                UUID.fromString(rs.getString("message_id")),
                rs.getString("topic"),
                rs.getString("msg_key"),
                instant(rs, "created_at"),
                rs.getInt("attempts"),
                rs.getString("reason"),
                instant(rs, "dead_at"),
                rs.getInt("replay_count"),
                rs.getLong("payload_size"),
                HeaderCodec.decode(rs.getString("headers"))));
      }
    }
    return found;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : Sql.instant(t);
  }
}
