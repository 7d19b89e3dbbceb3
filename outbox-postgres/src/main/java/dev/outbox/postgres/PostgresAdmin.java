package dev.outbox.postgres;

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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The PostgreSQL admin operations ({@link AdminSupport}). Each is one statement, or, for the key
 * actions, a locking read and one statement in a transaction. Statements name their parameters
 * ({@code @now}) and are built once per table set and shape of filter ({@link StatementCache});
 * rows are read by the shared {@link AdminJdbc}.
 *
 * <p>The indexes are the ones the relay needs (V1, V3): the pending index {@code (id,
 * next_attempt_at) WHERE status = 0}, the pending key index {@code (msg_key, id) WHERE status = 0},
 * the dead-letter table's primary key, {@code (topic, dead_at)} and {@code (msg_key)} indexes, and
 * the small pause and relay tables (V6). No index was added for the admin: every index on the
 * message table slows every enlist and claim. So a listing walks an index in order and stops after
 * its page; what has no index (a message id, a text in an error) reads the rows it may match.
 */
final class PostgresAdmin implements AdminSupport {

  static final PostgresAdmin INSTANCE = new PostgresAdmin();

  /** The columns of a {@link MessageView}; the payload's size is read from its header only. */
  private static final String MESSAGE_COLUMNS = AdminJdbc.messageColumns("octet_length(payload)");

  /** The columns of a {@link DeadLetterView}. */
  private static final String DEAD_COLUMNS = AdminJdbc.deadLetterColumns("octet_length(payload)");

  /** The first bytes of the payload, cut in the database: what a read of one row shows. */
  private static final String PAYLOAD_PREFIX =
      "substring(payload from 1 for " + AdminJdbc.PREVIEW_LENGTH + ")";

  /** The columns of one {@link MessageView}, with the payload's prefix. */
  private static final String MESSAGE_DETAIL_COLUMNS =
      AdminJdbc.messageColumns("octet_length(payload)", PAYLOAD_PREFIX);

  /** The columns of one {@link DeadLetterView}, with the payload's prefix. */
  private static final String DEAD_DETAIL_COLUMNS =
      AdminJdbc.deadLetterColumns("octet_length(payload)", PAYLOAD_PREFIX);

  /**
   * Every pending row, through the two partial indexes that hold them: the pending index (rows not
   * scheduled) and the scheduled index. {@code status = 0} alone implies neither index's predicate,
   * so the planner would read the whole table, history included.
   */
  static final String PENDING_ROWS =
      "(SELECT * FROM {T} WHERE status = 0 AND NOT scheduled"
          + " UNION ALL SELECT * FROM {T} WHERE status = 0 AND scheduled)";

  private static final String TOPIC_COUNTS =
      """
      SELECT topic, sum(due)::bigint, sum(leased)::bigint, sum(waiting)::bigint,
             sum(dead)::bigint, sum(sent)::bigint
        FROM (SELECT topic,
                     count(*) FILTER (WHERE {DUE}) AS due,
                     count(*) FILTER (WHERE {LEASED}) AS leased,
                     count(*) FILTER (WHERE {WAITING}) AS waiting,
                     0 AS dead, 0 AS sent
                FROM {P} p GROUP BY topic
              UNION ALL
              SELECT topic, 0, 0, 0, count(*), 0 FROM {D} GROUP BY topic
              UNION ALL
              SELECT topic, 0, 0, 0, 0, count(*)
                FROM {T} WHERE status = 1 AND created_at >= @since GROUP BY topic) x
       GROUP BY topic
       ORDER BY topic
      """
          .replace("{P}", PENDING_ROWS)
          .replace("{DUE}", AdminFilters.DUE)
          .replace("{LEASED}", AdminFilters.LEASED)
          .replace("{WAITING}", AdminFilters.WAITING);

  private static final String ATTEMPTS =
      "SELECT attempts, count(*) FROM " + PENDING_ROWS + " p GROUP BY attempts ORDER BY attempts";

  private static final String RELAYS =
      "SELECT "
          + AdminJdbc.RELAY_COLUMNS
          + " FROM {R} WHERE seen_at >= @since ORDER BY name, instance";

  private static final String MESSAGE =
      "SELECT " + MESSAGE_DETAIL_COLUMNS + " FROM {T} WHERE id = @id ORDER BY created_at";

  private static final String MESSAGES_BY_ID =
      "SELECT " + MESSAGE_DETAIL_COLUMNS + " FROM {T} WHERE message_id = @messageId ORDER BY id";

  private static final String DEAD_LETTER =
      "SELECT " + DEAD_DETAIL_COLUMNS + " FROM {D} WHERE id = @id";

  private static final String KEY_PENDING =
      """
      SELECT count(*) FROM (SELECT 1 FROM {T} WHERE status = 0 AND msg_key = @key
                             ORDER BY msg_key, id LIMIT @cap) x
      """;

  private static final String KEY_DEAD = "SELECT count(*) FROM {D} WHERE msg_key = @key";

  /**
   * Moves dead letters back: deleted from the dead-letter table and inserted into the message
   * table, in one statement. {@code {BACK}} decides which go back to their original id: with
   * ORIGINAL those whose id no row of the message table has (the id is only unique together with
   * created_at, so this is checked here), the first dead letter of an original id only; the others
   * get new ids from the identity, in dead-letter order.
   */
  private static final String REPLAY =
      """
      WITH gone AS (DELETE FROM {D} WHERE {WHERE} RETURNING *),
      placed AS (
          SELECT g.*, {BACK} AS back FROM gone g),
      at_original AS (
          INSERT INTO {T} (id, message_id, topic, msg_key, payload, headers, created_at, status,
                           attempts, next_attempt_at, replay_count)
          SELECT original_id, message_id, topic, msg_key, payload, headers, now(), 0, 0, @now,
                 replay_count + 1
            FROM placed WHERE back
          RETURNING id),
      at_end AS (
          INSERT INTO {T} (message_id, topic, msg_key, payload, headers, created_at, status,
                           attempts, next_attempt_at, replay_count)
          SELECT message_id, topic, msg_key, payload, headers, now(), 0, 0, @now, replay_count + 1
            FROM placed WHERE NOT back
           ORDER BY id
          RETURNING id)
      SELECT id, count(*) OVER () FROM placed ORDER BY id LIMIT {SAMPLE}
      """;

  private static final String BACK_ORIGINAL =
      """
      (row_number() OVER (PARTITION BY g.original_id ORDER BY g.id) = 1
                  AND NOT EXISTS (SELECT 1 FROM {T} m WHERE m.id = g.original_id))""";

  private static final String PURGE =
      """
      WITH gone AS (DELETE FROM {D} WHERE {WHERE} RETURNING id)
      SELECT id, count(*) OVER () FROM gone ORDER BY id LIMIT {SAMPLE}
      """;

  /** What a replay or purge would touch: the count of all matches, the first ids of them. */
  private static final String MATCHING =
      "SELECT id, count(*) OVER () FROM {D} WHERE {WHERE} ORDER BY id LIMIT {SAMPLE}";

  private static final String PAUSE =
      """
      INSERT INTO {P} (topic, paused_at, reason) VALUES (@topic, @now, @reason)
      ON CONFLICT (topic) DO UPDATE SET reason = EXCLUDED.reason
      """;

  private static final String RESUME = "DELETE FROM {P} WHERE topic = @topic";

  private static final String PAUSED =
      "SELECT " + AdminJdbc.PAUSE_COLUMNS + " FROM {P} ORDER BY topic";

  private static final String PAUSED_TOPICS = "SELECT topic FROM {P}";

  private static final String HEARTBEAT =
      """
      INSERT INTO {R} (instance, name, host, started_at, seen_at, last_claim_at, in_flight)
      VALUES (@instance, @name, @host, @startedAt, @seenAt, @lastClaimAt, @inFlight)
      ON CONFLICT (instance) DO UPDATE
         SET name = EXCLUDED.name, host = EXCLUDED.host, started_at = EXCLUDED.started_at,
             seen_at = EXCLUDED.seen_at, last_claim_at = EXCLUDED.last_claim_at,
             in_flight = EXCLUDED.in_flight
      """;

  private static final String LEAVE =
      "DELETE FROM {R} WHERE instance = @instance OR seen_at < @staleBefore";

  private final StatementCache statements =
      new StatementCache(PostgresDialect::qualified, NamedSql.Syntax.STANDARD);

  private final AdminJdbc jdbc = new AdminJdbc(PostgresTypes.INSTANCE);

  private final PostgresKeyHeads heads = new PostgresKeyHeads(statements, jdbc);

  private PostgresAdmin() {}

  // ---- the overview ----

  /**
   * One statement: the pending rows grouped by topic (every pending row, through the pending index
   * or a scan of the partitions, as the planner finds cheaper), the dead letters grouped by topic
   * (the whole dead-letter table), and the sent rows created since {@code sentSince} (partitions
   * before it are pruned; the newest ones are read in full).
   */
  @Override
  public List<TopicCounts> topicCounts(
      Connection c, OutboxTables tables, Instant now, Instant sentSince) throws SQLException {
    NamedSql sql = sql(tables, "topicCounts", () -> TOPIC_COUNTS);
    return jdbc.list(c, sql, SqlParams.of("now", now, "since", sentSince), AdminJdbc.topicCounts());
  }

  /** Every pending row (through the pending index or a scan), grouped by attempts. */
  @Override
  public SortedMap<Integer, Long> attempts(Connection c, OutboxTables tables) throws SQLException {
    SortedMap<Integer, Long> attempts = new TreeMap<>();
    for (long[] row :
        jdbc.list(
            c,
            sql(tables, "attempts", () -> ATTEMPTS),
            SqlParams.of(),
            rs -> new long[] {rs.getInt(1), rs.getLong(2)})) {
      attempts.put((int) row[0], row[1]);
    }
    return attempts;
  }

  /** Reads the relay table: one row per running relay, a few rows, no index needed. */
  @Override
  public List<RelayView> relays(Connection c, OutboxTables tables, Instant seenSince)
      throws SQLException {
    NamedSql sql = sql(tables, "relays", () -> RELAYS);
    return jdbc.list(c, sql, SqlParams.of("since", seenSince), jdbc.relay());
  }

  // ---- messages ----

  /**
   * One probe of the primary key {@code (id, created_at)} in every partition: the id does not say
   * which partition holds it.
   */
  @Override
  public Optional<MessageView> message(Connection c, OutboxTables tables, long id, Instant now)
      throws SQLException {
    NamedSql sql = sql(tables, "message", () -> MESSAGE);
    return jdbc.first(c, sql, SqlParams.of("id", id), jdbc.messageWithPreview(now));
  }

  /**
   * Reads the whole message table, pending and sent, every partition: the message id has no index
   * (one would cost every enlist).
   */
  @Override
  public List<MessageView> messagesById(
      Connection c, OutboxTables tables, UUID messageId, Instant now) throws SQLException {
    NamedSql sql = sql(tables, "messagesById", () -> MESSAGES_BY_ID);
    return jdbc.list(c, sql, SqlParams.of("messageId", messageId), jdbc.messageWithPreview(now));
  }

  /**
   * Walks the pending index from {@code afterId} in id order (with a key: the key's range of the
   * pending key index) and stops after {@code limit} matches. Topic, state and error are checked on
   * each row read (state mostly from the index, which holds {@code next_attempt_at}); a filter that
   * matches little may read the whole backlog, never a sent row.
   */
  @Override
  public List<MessageView> pending(
      Connection c, OutboxTables tables, MessageFilter filter, long afterId, int limit, Instant now)
      throws SQLException {
    NamedSql sql = sql(tables, "pending:" + AdminFilters.shape(filter), () -> pendingSql(filter));
    SqlParams p = AdminFilters.params(filter).with("after", afterId).with("limit", limit);
    return jdbc.list(c, sql, p.with("now", now), jdbc.message(now));
  }

  private static String pendingSql(MessageFilter filter) {
    List<String> criteria = AdminFilters.criteria(filter, "strpos(last_error, @error) > 0");
    String key = filter.key() != null ? " AND msg_key = @key" : "";
    // Ordered like the index to walk, so that no other index (the primary key would walk the sent
    // rows too) can deliver the order.
    String filters = AdminFilters.and(criteria, " AND ", "");
    if (filter.key() != null) {
      return "SELECT "
          + MESSAGE_COLUMNS
          + " FROM {T} WHERE status = 0 AND id > @after"
          + key
          + filters
          + " ORDER BY msg_key, id LIMIT @limit";
    }
    // Scheduled rows are in an index of their own: the first page of each index, merged.
    String head = "SELECT " + MESSAGE_COLUMNS + " FROM {T} WHERE status = 0 AND id > @after";
    return "SELECT * FROM (("
        + head
        + " AND NOT scheduled"
        + filters
        + " ORDER BY id, next_attempt_at LIMIT @limit) UNION ALL ("
        + head
        + " AND scheduled"
        + filters
        + " ORDER BY id LIMIT @limit)) x ORDER BY id LIMIT @limit";
  }

  // ---- dead letters ----

  /** One probe of the dead-letter table's primary key. */
  @Override
  public Optional<DeadLetterView> deadLetter(Connection c, OutboxTables tables, long id)
      throws SQLException {
    NamedSql sql = sql(tables, "deadLetter", () -> DEAD_LETTER);
    return jdbc.first(c, sql, SqlParams.of("id", id), jdbc.deadLetterWithPreview());
  }

  /**
   * Walks the dead-letter table's primary key backwards from {@code beforeId} and stops after
   * {@code limit} matches; with ids, probes them; with a topic or key the planner may take the
   * {@code (topic, dead_at)} or {@code (msg_key)} index and sort what matches instead.
   */
  @Override
  public List<DeadLetterView> deadLetters(
      Connection c, OutboxTables tables, DeadLetterFilter filter, long beforeId, int limit)
      throws SQLException {
    NamedSql sql =
        sql(
            tables,
            "deadLetters:" + AdminFilters.shape(filter),
            () ->
                "SELECT "
                    + DEAD_COLUMNS
                    + " FROM {D} WHERE id < @before"
                    + AdminFilters.and(deadCriteria(filter), " AND ", "")
                    + " ORDER BY id DESC LIMIT @limit");
    SqlParams p = deadParams(filter).with("before", beforeId).with("limit", limit);
    return jdbc.list(c, sql, p, jdbc.deadLetter());
  }

  /**
   * Reads the matching dead letters (by the primary key for ids, the topic or key index, or the
   * whole table), deletes them and inserts them into the message table, each once; with {@link
   * ReplayPlacement#ORIGINAL} each also probes the message table's primary key for its id. A dry
   * run only reads them.
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
      return matching(c, tables, filter);
    }
    String back = placement == ReplayPlacement.ORIGINAL ? BACK_ORIGINAL.strip() : "false";
    NamedSql sql =
        sql(
            tables,
            "replay:" + placement + ':' + AdminFilters.shape(filter),
            () -> REPLAY.replace("{BACK}", back).replace("{WHERE}", deadWhere(filter)));
    return jdbc.change(c, sql, deadParams(filter).with("now", now), false);
  }

  /** Reads the matching dead letters as {@link #replay} does and deletes them. */
  @Override
  public Change purge(Connection c, OutboxTables tables, DeadLetterFilter filter, boolean dryRun)
      throws SQLException {
    if (dryRun) {
      return matching(c, tables, filter);
    }
    NamedSql sql =
        sql(
            tables,
            "purge:" + AdminFilters.shape(filter),
            () -> PURGE.replace("{WHERE}", deadWhere(filter)));
    return jdbc.change(c, sql, deadParams(filter), false);
  }

  private Change matching(Connection c, OutboxTables tables, DeadLetterFilter filter)
      throws SQLException {
    NamedSql sql =
        sql(
            tables,
            "matching:" + AdminFilters.shape(filter),
            () -> MATCHING.replace("{WHERE}", deadWhere(filter)));
    return jdbc.change(c, sql, deadParams(filter), true);
  }

  private static List<String> deadCriteria(DeadLetterFilter f) {
    return AdminFilters.criteria(f, "id = ANY (@ids)", "strpos(reason, @reason) > 0");
  }

  /** The filter's criteria joined by AND; "true" for none. */
  private static String deadWhere(DeadLetterFilter f) {
    return AdminFilters.and(deadCriteria(f), "", "true");
  }

  /** The ids are bound as one {@code bigint[]}. */
  private static SqlParams deadParams(DeadLetterFilter f) {
    return AdminFilters.params(f, f.ids().isEmpty() ? null : f.ids());
  }

  // ---- keys ----

  /** One probe of the pending key index, and the row it finds. */
  @Override
  public Optional<MessageView> keyHead(Connection c, OutboxTables tables, String key, Instant now)
      throws SQLException {
    NamedSql sql = sql(tables, "keyHead", () -> PostgresKeyHeads.KEY_HEAD);
    return jdbc.first(c, sql, SqlParams.of("key", key), jdbc.message(now));
  }

  /** The key's range of the pending key index, at most {@code cap} entries. */
  @Override
  public long keyPending(Connection c, OutboxTables tables, String key, long cap)
      throws SQLException {
    NamedSql sql = sql(tables, "keyPending", () -> KEY_PENDING);
    return jdbc.count(c, sql, SqlParams.of("key", key, "cap", cap));
  }

  /** The key's range of the dead-letter key index. */
  @Override
  public long keyDeadLetters(Connection c, OutboxTables tables, String key) throws SQLException {
    return jdbc.count(c, sql(tables, "keyDead", () -> KEY_DEAD), SqlParams.of("key", key));
  }

  /**
   * In one transaction, locks the key's head (one probe of the pending key index, waiting for a
   * claim that holds it) and, if it is waiting and not leased, makes it due at {@code now}. A head
   * that is already due is left as it is and not counted. The dry run reads the head unlocked.
   */
  @Override
  public Change retryHead(
      Connection c, OutboxTables tables, String key, Instant now, boolean dryRun)
      throws SQLException {
    return heads.retry(c, tables, key, now, dryRun);
  }

  /**
   * In one transaction, locks the key's head as {@link #retryHead} does and, unless it is leased,
   * moves it to the dead-letter table (with its replay count). The dry run reads the head unlocked.
   */
  @Override
  public Change deadLetterHead(
      Connection c, OutboxTables tables, String key, String reason, Instant now, boolean dryRun)
      throws SQLException {
    return heads.deadLetter(c, tables, key, reason, now, dryRun);
  }

  // ---- pause and resume ----

  /** An upsert into the pause table, by its primary key (the topic); keeps the first time. */
  @Override
  public void pause(Connection c, OutboxTables tables, String topic, String reason, Instant now)
      throws SQLException {
    NamedSql sql = sql(tables, "pause", () -> PAUSE);
    jdbc.update(c, sql, SqlParams.of("topic", topic, "now", now, "reason", reason));
  }

  /** A delete from the pause table by its primary key. */
  @Override
  public boolean resume(Connection c, OutboxTables tables, String topic) throws SQLException {
    return jdbc.update(c, sql(tables, "resume", () -> RESUME), SqlParams.of("topic", topic)) > 0;
  }

  /**
   * Reads the pause table (a row per paused topic); the pause of every topic ({@code ''}) sorts
   * first.
   */
  @Override
  public List<PausedTopic> paused(Connection c, OutboxTables tables) throws SQLException {
    return jdbc.list(c, sql(tables, "paused", () -> PAUSED), SqlParams.of(), jdbc.pause());
  }

  /** Reads the pause table (a row per paused topic), as each relay does every poll interval. */
  @Override
  public Set<String> pausedTopics(Connection c, OutboxTables tables) throws SQLException {
    NamedSql sql = sql(tables, "pausedTopics", () -> PAUSED_TOPICS);
    return Set.copyOf(jdbc.list(c, sql, SqlParams.of(), rs -> rs.getString(1)));
  }

  // ---- relay heartbeat ----

  /** An upsert into the relay table, by its primary key (the instance). */
  @Override
  public void heartbeat(Connection c, OutboxTables tables, RelayHeartbeat h) throws SQLException {
    NamedSql sql = sql(tables, "heartbeat", () -> HEARTBEAT);
    SqlParams p =
        SqlParams.of("instance", h.instance(), "name", h.name(), "host", h.host())
            .with("startedAt", h.startedAt())
            .with("seenAt", h.seenAt())
            .withTime("lastClaimAt", h.lastClaimAt())
            .with("inFlight", h.inFlight());
    jdbc.update(c, sql, p);
  }

  /** A delete from the relay table: a few rows, read whole. */
  @Override
  public void leave(Connection c, OutboxTables tables, long instance, Instant staleBefore)
      throws SQLException {
    NamedSql sql = sql(tables, "leave", () -> LEAVE);
    jdbc.update(c, sql, SqlParams.of("instance", instance, "staleBefore", staleBefore));
  }

  /** The statement {@code shape} on {@code tables}, built from {@code template} the first time. */
  private NamedSql sql(OutboxTables tables, String shape, Supplier<String> template) {
    return statements.get(tables, shape, template);
  }
}
