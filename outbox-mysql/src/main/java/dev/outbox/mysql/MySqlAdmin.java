package dev.outbox.mysql;

import dev.outbox.OutboxTables;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.admin.TopicCounts;
import dev.outbox.spi.AdminFilters;
import dev.outbox.spi.AdminJdbc;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.NamedSql;
import dev.outbox.spi.RelayHeartbeat;
import dev.outbox.spi.SqlParams;
import dev.outbox.spi.StatementCache;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The admin operations on MySQL and MariaDB. Statements name their parameters ({@code @now}) and
 * are built once per table set and shape of filter ({@link StatementCache}); rows are read by the
 * shared {@link AdminJdbc}. Pending rows are always reached through the {@code status = 0} part of
 * {@code pending_idx} (status, id, next_attempt_at) or {@code pending_key_run_idx} (status,
 * msg_key, id, next_attempt_at), so no read here walks the sent history except the two that must:
 * {@link #messagesById} (the message id is not indexed) and the "sent recently" count of {@link
 * #topicCounts} (the partitions enlisted within the window).
 *
 * <p>States at {@code now}, as the claim sees them: LEASED when {@code lease_until > now}, else
 * WAITING when {@code next_attempt_at > now}, else DUE; status 1 is SENT.
 *
 * <p>Changes of more than one row run in one READ COMMITTED transaction (no gap locks, so producers
 * and relays are never blocked by an admin's range read); they lock the rows they change with
 * {@code FOR UPDATE}, recheck them, and then write exactly the rows they locked, by primary key, so
 * the reported count is what was written. Times are bound as UTC text ({@link MySqlTypes}).
 */
final class MySqlAdmin implements AdminSupport {

  static final MySqlAdmin INSTANCE = new MySqlAdmin();

  private static final String MESSAGE_COLUMNS = AdminJdbc.messageColumns("LENGTH(payload)");

  private static final String DEAD_COLUMNS = AdminJdbc.deadLetterColumns("LENGTH(payload)");

  /** The first bytes of the payload, cut in the database: what a read of one row shows. */
  private static final String PAYLOAD_PREFIX =
      "SUBSTRING(payload, 1, " + AdminJdbc.PREVIEW_LENGTH + ")";

  /** The columns of one {@link MessageView}, with the payload's prefix. */
  private static final String MESSAGE_DETAIL_COLUMNS =
      AdminJdbc.messageColumns("LENGTH(payload)", PAYLOAD_PREFIX);

  /** The columns of one {@link DeadLetterView}, with the payload's prefix. */
  private static final String DEAD_DETAIL_COLUMNS =
      AdminJdbc.deadLetterColumns("LENGTH(payload)", PAYLOAD_PREFIX);

  /** Every pending row through pending_idx, each row read once for topic and lease_until. */
  static final String TOPIC_PENDING =
      """
      SELECT topic,
             SUM(lease_until IS NOT NULL AND lease_until > @now) AS leased,
             SUM((lease_until IS NULL OR lease_until <= @now) AND next_attempt_at > @now) AS waiting,
             SUM((lease_until IS NULL OR lease_until <= @now) AND next_attempt_at <= @now) AS due
        FROM {T} FORCE INDEX (pending_idx) WHERE status = 0 GROUP BY topic""";

  /** topic_idx (topic, dead_at) covers it: an index-only scan, no row read. */
  static final String TOPIC_DEAD = "SELECT topic, count(*) FROM {D} GROUP BY topic";

  /**
   * Partition pruning on created_at keeps it to the newest partitions; within them every row is
   * read (nothing indexes created_at or sent_at).
   */
  static final String TOPIC_SENT =
      "SELECT topic, count(*) FROM {T} WHERE created_at >= @since AND status = 1 GROUP BY topic";

  static final String ATTEMPTS =
      "SELECT attempts, count(*) FROM {T} FORCE INDEX (pending_idx) WHERE status = 0"
          + " GROUP BY attempts";

  private static final String RELAYS =
      "SELECT "
          + AdminJdbc.RELAY_COLUMNS
          + " FROM {R} WHERE seen_at >= @since ORDER BY name, instance";

  private static final String MESSAGE =
      "SELECT " + MESSAGE_DETAIL_COLUMNS + " FROM {T} FORCE INDEX (PRIMARY) WHERE id = @id";

  static final String MESSAGES_BY_ID =
      "SELECT " + MESSAGE_DETAIL_COLUMNS + " FROM {T} WHERE message_id = @messageId ORDER BY id";

  /**
   * ORDER BY id alone (appended): on a partitioned table MariaDB sorts when the ORDER BY also names
   * the constant prefix of the index (see MySqlClaim).
   */
  static final String PENDING =
      "SELECT "
          + MESSAGE_COLUMNS
          + " FROM {T} FORCE INDEX (pending_idx) WHERE status = 0 AND scheduled = @scheduled"
          + " AND id > @after";

  static final String PENDING_OF_KEY =
      "SELECT "
          + MESSAGE_COLUMNS
          + " FROM {T} FORCE INDEX (pending_key_run_idx)"
          + " WHERE status = 0 AND msg_key = @key AND id > @after";

  private static final String DEAD_LETTER =
      "SELECT " + DEAD_DETAIL_COLUMNS + " FROM {D} WHERE id = @id";

  static final String DEAD_LETTERS = "SELECT " + DEAD_COLUMNS + " FROM {D} WHERE id < @before";

  static final String KEY_HEAD =
      "SELECT "
          + MESSAGE_COLUMNS
          + " FROM {T} FORCE INDEX (pending_key_run_idx) WHERE status = 0 AND msg_key = @key"
          + " ORDER BY id LIMIT 1";

  private static final String KEY_PENDING =
      """
      SELECT count(*) FROM (SELECT id FROM {T} FORCE INDEX (pending_key_run_idx)
                             WHERE status = 0 AND msg_key = @key LIMIT @cap) k""";

  private static final String KEY_DEAD = "SELECT count(*) FROM {D} WHERE msg_key = @key";

  /** VALUES(): MariaDB has no row alias (INSERT … AS new); MySQL 8 still accepts VALUES(). */
  private static final String PAUSE =
      """
      INSERT INTO {P} (topic, paused_at, reason) VALUES (@topic, @now, @reason)
      ON DUPLICATE KEY UPDATE reason = VALUES(reason)""";

  private static final String RESUME = "DELETE FROM {P} WHERE topic = @topic";

  private static final String PAUSED =
      "SELECT " + AdminJdbc.PAUSE_COLUMNS + " FROM {P} ORDER BY topic";

  private static final String PAUSED_TOPICS = "SELECT topic FROM {P}";

  private static final String HEARTBEAT =
      """
      INSERT INTO {R} (instance, name, host, started_at, seen_at, last_claim_at, in_flight)
      VALUES (@instance, @name, @host, @startedAt, @seenAt, @lastClaimAt, @inFlight)
      ON DUPLICATE KEY UPDATE name = VALUES(name), host = VALUES(host),
         started_at = VALUES(started_at), seen_at = VALUES(seen_at),
         last_claim_at = VALUES(last_claim_at), in_flight = VALUES(in_flight)""";

  private static final String LEAVE =
      "DELETE FROM {R} WHERE instance = @instance OR seen_at < @staleBefore";

  private final StatementCache statements =
      new StatementCache(Sql::qualified, NamedSql.Syntax.MYSQL);

  private final AdminJdbc jdbc = new AdminJdbc(MySqlTypes.INSTANCE);

  private final MySqlDeadLetterMoves moves = new MySqlDeadLetterMoves(statements, jdbc);

  private final MySqlKeyHeads heads = new MySqlKeyHeads(statements, jdbc);

  private MySqlAdmin() {}

  /**
   * The statement {@code template} on {@code tables} (no filter); package-private for the harness.
   */
  NamedSql sql(OutboxTables tables, String template) {
    return statements.get(tables, template, () -> template);
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
    Map<String, long[]> counts = new TreeMap<>();
    jdbc.list(
        c,
        sql(tables, TOPIC_PENDING),
        SqlParams.of("now", now),
        rs -> {
          long[] n = counts.computeIfAbsent(rs.getString(1), k -> new long[5]);
          n[0] = rs.getLong("due");
          n[1] = rs.getLong("leased");
          n[2] = rs.getLong("waiting");
          return n;
        });
    jdbc.list(
        c,
        sql(tables, TOPIC_DEAD),
        SqlParams.of(),
        rs -> counts.computeIfAbsent(rs.getString(1), k -> new long[5])[3] = rs.getLong(2));
    jdbc.list(
        c,
        sql(tables, TOPIC_SENT),
        SqlParams.of("since", sentSince),
        rs -> counts.computeIfAbsent(rs.getString(1), k -> new long[5])[4] = rs.getLong(2));
    List<TopicCounts> topics = new ArrayList<>(counts.size());
    counts.forEach((t, n) -> topics.add(new TopicCounts(t, n[0], n[1], n[2], n[3], n[4], false)));
    return topics;
  }

  /** Every pending row once: {@code pending_idx}'s status = 0 range and each row for attempts. */
  @Override
  public SortedMap<Integer, Long> attempts(Connection c, OutboxTables tables) throws SQLException {
    SortedMap<Integer, Long> byAttempts = new TreeMap<>();
    jdbc.list(
        c,
        sql(tables, ATTEMPTS),
        SqlParams.of(),
        rs -> byAttempts.put(rs.getInt(1), rs.getLong(2)));
    return byAttempts;
  }

  /** The relay table, a row per running relay: read whole. */
  @Override
  public List<RelayView> relays(Connection c, OutboxTables tables, Instant seenSince)
      throws SQLException {
    return jdbc.list(c, sql(tables, RELAYS), SqlParams.of("since", seenSince), jdbc.relay());
  }

  // ---- messages ----

  /**
   * The primary key (id, created_at) by its first column: one lookup in each partition, since the
   * id does not say which partition holds it.
   */
  @Override
  public Optional<MessageView> message(Connection c, OutboxTables tables, long id, Instant now)
      throws SQLException {
    return jdbc.first(
        c, sql(tables, MESSAGE), SqlParams.of("id", id), jdbc.messageWithPreview(now));
  }

  /**
   * The whole message table, pending and sent: message_id is not indexed (an index would slow every
   * enlist for a lookup an operator makes now and then).
   */
  @Override
  public List<MessageView> messagesById(
      Connection c, OutboxTables tables, UUID messageId, Instant now) throws SQLException {
    SqlParams p = SqlParams.of("messageId", messageId);
    return jdbc.list(c, sql(tables, MESSAGES_BY_ID), p, jdbc.messageWithPreview(now));
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
    // INSTR under the column's utf8mb4_bin collation: case-sensitive, no LIKE wildcards.
    String where =
        AdminFilters.and(
            AdminFilters.criteria(filter, "INSTR(last_error, @error) > 0"), " AND ", "");
    // pending_idx leads with (status, scheduled): the first page of each of its two ranges, merged.
    NamedSql sql =
        statements.get(
            tables,
            "pending:" + AdminFilters.shape(filter),
            () ->
                filter.key() != null
                    ? PENDING_OF_KEY + where + " ORDER BY id LIMIT @limit"
                    : "SELECT * FROM (("
                        + PENDING.replace("@scheduled", "0")
                        + where
                        + " ORDER BY id LIMIT @limit) UNION ALL ("
                        + PENDING.replace("@scheduled", "1")
                        + where
                        + " ORDER BY id LIMIT @limit)) x ORDER BY id LIMIT @limit");
    SqlParams p = AdminFilters.params(filter).with("after", afterId).with("limit", limit);
    return jdbc.list(c, sql, p.with("now", now), jdbc.message(now));
  }

  // ---- dead letters ----

  /** The dead-letter table's primary key. */
  @Override
  public Optional<DeadLetterView> deadLetter(Connection c, OutboxTables tables, long id)
      throws SQLException {
    return jdbc.first(
        c, sql(tables, DEAD_LETTER), SqlParams.of("id", id), jdbc.deadLetterWithPreview());
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
    NamedSql sql =
        MySqlDeadLetterMoves.filtered(
            statements, tables, DEAD_LETTERS, filter, " ORDER BY id DESC LIMIT @limit");
    SqlParams p = MySqlDeadLetterMoves.params(filter).with("before", beforeId).with("limit", limit);
    return jdbc.list(c, sql, p, jdbc.deadLetter());
  }

  /**
   * Reads the matching dead letters as {@link #deadLetters} does (all of them, locked, ids and
   * original ids only), looks their original ids up in the message table's primary key (one lookup
   * a partition each, for {@link ReplayPlacement#ORIGINAL}), then copies them back by primary key,
   * {@value MySqlDeadLetterMoves#CHUNK} at a time, and deletes them. A dry run counts the matches
   * and reads the first {@value Change#SAMPLE} ids.
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
    return dryRun
        ? moves.count(c, tables, filter)
        : moves.replay(c, tables, filter, placement, now);
  }

  /**
   * As {@link #replay}: the matching dead letters are read and locked, then deleted by primary key,
   * so that exactly the rows counted are deleted (not those that died meanwhile).
   */
  @Override
  public Change purge(Connection c, OutboxTables tables, DeadLetterFilter filter, boolean dryRun)
      throws SQLException {
    return dryRun ? moves.count(c, tables, filter) : moves.purge(c, tables, filter);
  }

  // ---- keys ----

  /** The first entry of the key's range of {@code pending_key_run_idx}, then its row. */
  @Override
  public Optional<MessageView> keyHead(Connection c, OutboxTables tables, String key, Instant now)
      throws SQLException {
    return jdbc.first(c, sql(tables, KEY_HEAD), SqlParams.of("key", key), jdbc.message(now));
  }

  /** The key's range of {@code pending_key_run_idx}, index only, up to {@code cap} entries. */
  @Override
  public long keyPending(Connection c, OutboxTables tables, String key, long cap)
      throws SQLException {
    return jdbc.count(c, sql(tables, KEY_PENDING), SqlParams.of("key", key, "cap", cap));
  }

  /** The key's entries of the dead-letter table's {@code key_idx}, index only. */
  @Override
  public long keyDeadLetters(Connection c, OutboxTables tables, String key) throws SQLException {
    return jdbc.count(c, sql(tables, KEY_DEAD), SqlParams.of("key", key));
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
    return heads.retry(c, tables, key, now, dryRun);
  }

  /**
   * As {@link #retryHead}, then the locked row is copied into the dead-letter table (with its
   * replay_count) and deleted, both by primary key.
   */
  @Override
  public Change deadLetterHead(
      Connection c, OutboxTables tables, String key, String reason, Instant now, boolean dryRun)
      throws SQLException {
    return heads.deadLetter(c, tables, key, reason, now, dryRun);
  }

  // ---- pause and resume ----

  /** An upsert on the pause table's primary key that keeps {@code paused_at}. */
  @Override
  public void pause(Connection c, OutboxTables tables, String topic, String reason, Instant now)
      throws SQLException {
    jdbc.update(c, sql(tables, PAUSE), SqlParams.of("topic", topic, "now", now, "reason", reason));
  }

  /** A delete by the pause table's primary key. */
  @Override
  public boolean resume(Connection c, OutboxTables tables, String topic) throws SQLException {
    return jdbc.update(c, sql(tables, RESUME), SqlParams.of("topic", topic)) > 0;
  }

  /**
   * The pause table, whole, in primary-key order: the empty topic (all topics) sorts first under
   * utf8mb4_bin.
   */
  @Override
  public List<PausedTopic> paused(Connection c, OutboxTables tables) throws SQLException {
    return jdbc.list(c, sql(tables, PAUSED), SqlParams.of(), jdbc.pause());
  }

  /** The pause table's primary key, whole (a handful of rows). */
  @Override
  public Set<String> pausedTopics(Connection c, OutboxTables tables) throws SQLException {
    return Set.copyOf(
        jdbc.list(c, sql(tables, PAUSED_TOPICS), SqlParams.of(), rs -> rs.getString(1)));
  }

  // ---- relay heartbeat ----

  /** An upsert on the relay table's primary key. */
  @Override
  public void heartbeat(Connection c, OutboxTables tables, RelayHeartbeat h) throws SQLException {
    SqlParams p =
        SqlParams.of("instance", h.instance(), "name", h.name(), "host", h.host())
            .with("startedAt", h.startedAt())
            .with("seenAt", h.seenAt())
            .withTime("lastClaimAt", h.lastClaimAt())
            .with("inFlight", h.inFlight());
    jdbc.update(c, sql(tables, HEARTBEAT), p);
  }

  /** One delete over the (small) relay table: the instance's row and the stale ones. */
  @Override
  public void leave(Connection c, OutboxTables tables, long instance, Instant staleBefore)
      throws SQLException {
    SqlParams p = SqlParams.of("instance", instance, "staleBefore", staleBefore);
    jdbc.update(c, sql(tables, LEAVE), p);
  }
}
