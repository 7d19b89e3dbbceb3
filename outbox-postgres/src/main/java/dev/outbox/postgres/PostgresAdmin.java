package dev.outbox.postgres;

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
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PostgreSQL admin operations ({@link AdminSupport}). Each is one statement, or, for the key
 * actions, a locking read and one statement in a transaction. Statements name their parameters
 * ({@code @now}) and are built once per table set and shape of filter, like the claim's.
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
  private static final String MESSAGE_COLUMNS =
      "id, message_id, topic, msg_key, status, attempts, created_at, next_attempt_at, last_error,"
          + " lease_token, lease_until, sent_at, octet_length(payload) AS payload_size, headers";

  /** The columns of a {@link DeadLetterView}. */
  private static final String DEAD_COLUMNS =
      "id, original_id, message_id, topic, msg_key, created_at, attempts, reason, dead_at,"
          + " replay_count, octet_length(payload) AS payload_size, headers";

  /** A pending row's state at {@code @now}, as the claim decides it. */
  private static final String DUE =
      "next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)";

  private static final String LEASED = "lease_until > @now";

  private static final String WAITING =
      "next_attempt_at > @now AND (lease_until IS NULL OR lease_until <= @now)";

  private static final String TOPIC_COUNTS =
      """
      SELECT topic, sum(due)::bigint, sum(leased)::bigint, sum(waiting)::bigint,
             sum(dead)::bigint, sum(sent)::bigint
        FROM (SELECT topic,
                     count(*) FILTER (WHERE {DUE}) AS due,
                     count(*) FILTER (WHERE {LEASED}) AS leased,
                     count(*) FILTER (WHERE {WAITING}) AS waiting,
                     0 AS dead, 0 AS sent
                FROM {T} WHERE status = 0 GROUP BY topic
              UNION ALL
              SELECT topic, 0, 0, 0, count(*), 0 FROM {D} GROUP BY topic
              UNION ALL
              SELECT topic, 0, 0, 0, 0, count(*)
                FROM {T} WHERE status = 1 AND created_at >= @since GROUP BY topic) x
       GROUP BY topic
       ORDER BY topic
      """;

  private static final String ATTEMPTS =
      "SELECT attempts, count(*) FROM {T} WHERE status = 0 GROUP BY attempts ORDER BY attempts";

  private static final String RELAYS =
      """
      SELECT instance, name, host, started_at, seen_at, last_claim_at, in_flight
        FROM {R} WHERE seen_at >= @since ORDER BY name, instance
      """;

  private static final String MESSAGE = "SELECT {MC} FROM {T} WHERE id = @id ORDER BY created_at";

  private static final String MESSAGES_BY_ID =
      "SELECT {MC} FROM {T} WHERE message_id = @messageId ORDER BY id";

  private static final String DEAD_LETTER = "SELECT {DC} FROM {D} WHERE id = @id";

  /** The key's oldest pending row, from the pending key index (ordered like it). */
  private static final String KEY_HEAD =
      "SELECT {MC} FROM {T} WHERE status = 0 AND msg_key = @key ORDER BY msg_key, id LIMIT 1";

  /**
   * The key's head, locked. A claim that holds it makes this wait until the claim commits, and the
   * row is then read again as the claim left it (leased); a head acknowledged meanwhile no longer
   * matches and the next row is taken instead. A claim that comes after finds it locked and skips
   * the key.
   */
  private static final String LOCK_KEY_HEAD = KEY_HEAD + " FOR UPDATE";

  private static final String KEY_PENDING =
      """
      SELECT count(*) FROM (SELECT 1 FROM {T} WHERE status = 0 AND msg_key = @key
                             ORDER BY msg_key, id LIMIT @cap) x
      """;

  private static final String KEY_DEAD = "SELECT count(*) FROM {D} WHERE msg_key = @key";

  private static final String RETRY_HEAD =
      "UPDATE {T} SET next_attempt_at = @now WHERE id = @id AND created_at = @createdAt";

  private static final String DEAD_LETTER_HEAD =
      """
      WITH gone AS (DELETE FROM {T} WHERE id = @id AND created_at = @createdAt AND status = 0
                    RETURNING *)
      INSERT INTO {D} (original_id, message_id, topic, msg_key, payload, headers, created_at,
                       attempts, reason, dead_at, replay_count)
      SELECT id, message_id, topic, msg_key, payload, headers, created_at, attempts, @reason, @now,
             replay_count
        FROM gone
      """;

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

  private static final String PAUSED = "SELECT topic, paused_at, reason FROM {P} ORDER BY topic";

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

  /** One statement (by template and shape) on one table set. */
  private record Key(OutboxTables tables, String shape) {}

  private static final Map<Key, Sql> STATEMENTS = new ConcurrentHashMap<>();

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
    Sql sql =
        sql(
            tables,
            "topicCounts",
            () ->
                TOPIC_COUNTS
                    .replace("{DUE}", DUE)
                    .replace("{LEASED}", LEASED)
                    .replace("{WAITING}", WAITING));
    List<TopicCounts> counts = new ArrayList<>();
    try (PreparedStatement ps = sql.prepare(c, Params.of("now", now, "since", sentSince));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        counts.add(
            new TopicCounts(
                rs.getString(1),
                rs.getLong(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getLong(6),
                false));
      }
    }
    return counts;
  }

  /** Every pending row (through the pending index or a scan), grouped by attempts. */
  @Override
  public SortedMap<Integer, Long> attempts(Connection c, OutboxTables tables) throws SQLException {
    Sql sql = sql(tables, "attempts", () -> ATTEMPTS);
    SortedMap<Integer, Long> attempts = new TreeMap<>();
    try (PreparedStatement ps = sql.prepare(c, Params.of());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        attempts.put(rs.getInt(1), rs.getLong(2));
      }
    }
    return attempts;
  }

  /** Reads the relay table: one row per running relay, a few rows, no index needed. */
  @Override
  public List<RelayView> relays(Connection c, OutboxTables tables, Instant seenSince)
      throws SQLException {
    Sql sql = sql(tables, "relays", () -> RELAYS);
    List<RelayView> relays = new ArrayList<>();
    try (PreparedStatement ps = sql.prepare(c, Params.of("since", seenSince));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        relays.add(
            new RelayView(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                instant(rs, 4),
                instant(rs, 5),
                instant(rs, 6),
                rs.getInt(7)));
      }
    }
    return relays;
  }

  // ---- messages ----

  /**
   * One probe of the primary key {@code (id, created_at)} in every partition: the id does not say
   * which partition holds it.
   */
  @Override
  public Optional<MessageView> message(Connection c, OutboxTables tables, long id, Instant now)
      throws SQLException {
    Sql sql = sql(tables, "message", () -> MESSAGE);
    List<MessageView> found = messages(c, sql, Params.of("id", id), now);
    return found.stream().findFirst();
  }

  /**
   * Reads the whole message table, pending and sent, every partition: the message id has no index
   * (one would cost every enlist).
   */
  @Override
  public List<MessageView> messagesById(
      Connection c, OutboxTables tables, UUID messageId, Instant now) throws SQLException {
    Sql sql = sql(tables, "messagesById", () -> MESSAGES_BY_ID);
    return messages(c, sql, Params.of("messageId", messageId), now);
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
    String shape =
        "pending:"
            + (filter.topic() != null)
            + ':'
            + (filter.key() != null)
            + ':'
            + filter.state()
            + ':'
            + (filter.errorContains() != null);
    Sql sql = sql(tables, shape, () -> pendingSql(filter));
    Params p =
        Params.of("after", afterId, "limit", limit, "now", now)
            .with("topic", filter.topic())
            .with("key", filter.key())
            .with("error", filter.errorContains());
    return messages(c, sql, p, now);
  }

  private static String pendingSql(MessageFilter filter) {
    StringBuilder where = new StringBuilder("status = 0 AND id > @after");
    if (filter.topic() != null) {
      where.append(" AND topic = @topic");
    }
    if (filter.key() != null) {
      where.append(" AND msg_key = @key");
    }
    if (filter.state() != null) {
      where
          .append(" AND ")
          .append(
              switch (filter.state()) {
                case DUE -> DUE;
                case LEASED -> LEASED;
                case WAITING -> WAITING;
                default -> throw new IllegalArgumentException("not a pending state");
              });
    }
    if (filter.errorContains() != null) {
      where.append(" AND strpos(last_error, @error) > 0");
    }
    // Ordered like the index to walk, so that no other index (the primary key would walk the sent
    // rows too) can deliver the order.
    String order = filter.key() != null ? "msg_key, id" : "id, next_attempt_at";
    return "SELECT {MC} FROM {T} WHERE " + where + " ORDER BY " + order + " LIMIT @limit";
  }

  // ---- dead letters ----

  /** One probe of the dead-letter table's primary key. */
  @Override
  public Optional<DeadLetterView> deadLetter(Connection c, OutboxTables tables, long id)
      throws SQLException {
    Sql sql = sql(tables, "deadLetter", () -> DEAD_LETTER);
    List<DeadLetterView> found = deadLetters(c, sql, Params.of("id", id));
    return found.stream().findFirst();
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
    Sql sql =
        sql(
            tables,
            "deadLetters:" + deadShape(filter),
            () ->
                "SELECT {DC} FROM {D} WHERE id < @before"
                    + deadWhere(filter, " AND ")
                    + " ORDER BY id DESC LIMIT @limit");
    return deadLetters(c, sql, deadParams(filter).with("before", beforeId).with("limit", limit));
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
    Sql sql =
        sql(
            tables,
            "replay:" + placement + ':' + deadShape(filter),
            () ->
                REPLAY
                    .replace(
                        "{BACK}",
                        placement == ReplayPlacement.ORIGINAL ? BACK_ORIGINAL.strip() : "false")
                    .replace("{WHERE}", deadWhere(filter, "")));
    return change(c, sql, deadParams(filter).with("now", now), false);
  }

  /** Reads the matching dead letters as {@link #replay} does and deletes them. */
  @Override
  public Change purge(Connection c, OutboxTables tables, DeadLetterFilter filter, boolean dryRun)
      throws SQLException {
    if (dryRun) {
      return matching(c, tables, filter);
    }
    Sql sql =
        sql(
            tables,
            "purge:" + deadShape(filter),
            () -> PURGE.replace("{WHERE}", deadWhere(filter, "")));
    return change(c, sql, deadParams(filter), false);
  }

  private Change matching(Connection c, OutboxTables tables, DeadLetterFilter filter)
      throws SQLException {
    Sql sql =
        sql(
            tables,
            "matching:" + deadShape(filter),
            () -> MATCHING.replace("{WHERE}", deadWhere(filter, "")));
    return change(c, sql, deadParams(filter), true);
  }

  /** Which criteria a dead-letter filter has: the shape of its SQL. */
  private static String deadShape(DeadLetterFilter f) {
    return (f.ids().isEmpty() ? "-" : "i")
        + (f.topic() == null ? "-" : "t")
        + (f.key() == null ? "-" : "k")
        + (f.reasonContains() == null ? "-" : "r")
        + (f.deadSince() == null ? "-" : "s")
        + (f.deadBefore() == null ? "-" : "b");
  }

  /** The filter's criteria joined by AND, each after {@code first}; "true" for none. */
  private static String deadWhere(DeadLetterFilter f, String first) {
    List<String> criteria = new ArrayList<>();
    if (!f.ids().isEmpty()) {
      criteria.add("id = ANY (@ids)");
    }
    if (f.topic() != null) {
      criteria.add("topic = @topic");
    }
    if (f.key() != null) {
      criteria.add("msg_key = @key");
    }
    if (f.reasonContains() != null) {
      criteria.add("strpos(reason, @reason) > 0");
    }
    if (f.deadSince() != null) {
      criteria.add("dead_at >= @deadSince");
    }
    if (f.deadBefore() != null) {
      criteria.add("dead_at < @deadBefore");
    }
    if (criteria.isEmpty()) {
      return first.isEmpty() ? "true" : "";
    }
    return first + String.join(" AND ", criteria);
  }

  private static Params deadParams(DeadLetterFilter f) {
    return Params.of()
        .with("ids", f.ids().isEmpty() ? null : f.ids())
        .with("topic", f.topic())
        .with("key", f.key())
        .with("reason", f.reasonContains())
        .with("deadSince", f.deadSince())
        .with("deadBefore", f.deadBefore());
  }

  // ---- keys ----

  /** One probe of the pending key index, and the row it finds. */
  @Override
  public Optional<MessageView> keyHead(Connection c, OutboxTables tables, String key, Instant now)
      throws SQLException {
    Sql sql = sql(tables, "keyHead", () -> KEY_HEAD);
    List<MessageView> head = messages(c, sql, Params.of("key", key), now);
    return head.stream().findFirst();
  }

  /** The key's range of the pending key index, at most {@code cap} entries. */
  @Override
  public long keyPending(Connection c, OutboxTables tables, String key, long cap)
      throws SQLException {
    Sql sql = sql(tables, "keyPending", () -> KEY_PENDING);
    return count(c, sql, Params.of("key", key, "cap", cap));
  }

  /** The key's range of the dead-letter key index. */
  @Override
  public long keyDeadLetters(Connection c, OutboxTables tables, String key) throws SQLException {
    Sql sql = sql(tables, "keyDead", () -> KEY_DEAD);
    return count(c, sql, Params.of("key", key));
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
    return onHead(
        c,
        tables,
        key,
        now,
        dryRun,
        head -> head.state() == MessageState.WAITING,
        (tx, head, createdAt) -> {
          Sql sql = sql(tables, "retryHead", () -> RETRY_HEAD);
          try (PreparedStatement ps =
              sql.prepare(tx, Params.of("now", now, "id", head.id(), "createdAt", createdAt))) {
            return ps.executeUpdate();
          }
        });
  }

  /**
   * In one transaction, locks the key's head as {@link #retryHead} does and, unless it is leased,
   * moves it to the dead-letter table (with its replay count). The dry run reads the head unlocked.
   */
  @Override
  public Change deadLetterHead(
      Connection c, OutboxTables tables, String key, String reason, Instant now, boolean dryRun)
      throws SQLException {
    return onHead(
        c,
        tables,
        key,
        now,
        dryRun,
        head -> head.state() != MessageState.LEASED,
        (tx, head, createdAt) -> {
          Sql sql = sql(tables, "deadLetterHead", () -> DEAD_LETTER_HEAD);
          Params p =
              Params.of("id", head.id(), "createdAt", createdAt, "reason", reason, "now", now);
          try (PreparedStatement ps = sql.prepare(tx, p)) {
            return ps.executeUpdate();
          }
        });
  }

  @FunctionalInterface
  private interface HeadTest {
    boolean applies(MessageView head);
  }

  @FunctionalInterface
  private interface HeadAction {
    int apply(Connection tx, MessageView head, Instant createdAt) throws SQLException;
  }

  private Change onHead(
      Connection c,
      OutboxTables tables,
      String key,
      Instant now,
      boolean dryRun,
      HeadTest test,
      HeadAction action)
      throws SQLException {
    if (dryRun) {
      Optional<MessageView> head = keyHead(c, tables, key, now);
      boolean applies = head.isPresent() && test.applies(head.get());
      return new Change(applies ? 1 : 0, true, applies ? List.of(head.get().id()) : List.of());
    }
    Sql lock = sql(tables, "lockKeyHead", () -> LOCK_KEY_HEAD);
    return Jdbc.inTransaction(
        c,
        tx -> {
          List<MessageView> head = messages(tx, lock, Params.of("key", key), now);
          if (head.isEmpty() || !test.applies(head.get(0))) {
            return new Change(0, false, List.of());
          }
          MessageView h = head.get(0);
          int rows = action.apply(tx, h, h.createdAt());
          return new Change(rows, false, rows == 0 ? List.of() : List.of(h.id()));
        });
  }

  // ---- pause and resume ----

  /** An upsert into the pause table, by its primary key (the topic); keeps the first time. */
  @Override
  public void pause(Connection c, OutboxTables tables, String topic, String reason, Instant now)
      throws SQLException {
    Sql sql = sql(tables, "pause", () -> PAUSE);
    try (PreparedStatement ps =
        sql.prepare(c, Params.of("topic", topic, "now", now).with("reason", reason))) {
      ps.executeUpdate();
    }
  }

  /** A delete from the pause table by its primary key. */
  @Override
  public boolean resume(Connection c, OutboxTables tables, String topic) throws SQLException {
    Sql sql = sql(tables, "resume", () -> RESUME);
    try (PreparedStatement ps = sql.prepare(c, Params.of("topic", topic))) {
      return ps.executeUpdate() > 0;
    }
  }

  /**
   * Reads the pause table (a row per paused topic); the pause of every topic ({@code ''}) sorts
   * first.
   */
  @Override
  public List<PausedTopic> paused(Connection c, OutboxTables tables) throws SQLException {
    Sql sql = sql(tables, "paused", () -> PAUSED);
    List<PausedTopic> paused = new ArrayList<>();
    try (PreparedStatement ps = sql.prepare(c, Params.of());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String topic = rs.getString(1);
        paused.add(
            new PausedTopic(
                ALL_TOPICS.equals(topic) ? null : topic, instant(rs, 2), rs.getString(3)));
      }
    }
    return paused;
  }

  /** Reads the pause table (a row per paused topic), as each relay does every poll interval. */
  @Override
  public Set<String> pausedTopics(Connection c, OutboxTables tables) throws SQLException {
    Sql sql = sql(tables, "pausedTopics", () -> PAUSED_TOPICS);
    Set<String> topics = new HashSet<>();
    try (PreparedStatement ps = sql.prepare(c, Params.of());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        topics.add(rs.getString(1));
      }
    }
    return Set.copyOf(topics);
  }

  // ---- relay heartbeat ----

  /** An upsert into the relay table, by its primary key (the instance). */
  @Override
  public void heartbeat(Connection c, OutboxTables tables, RelayHeartbeat h) throws SQLException {
    Sql sql = sql(tables, "heartbeat", () -> HEARTBEAT);
    Params p =
        Params.of(
                "instance", h.instance(),
                "name", h.name(),
                "host", h.host(),
                "startedAt", h.startedAt(),
                "seenAt", h.seenAt(),
                "inFlight", h.inFlight())
            .with("lastClaimAt", h.lastClaimAt() == null ? Params.NULL_TIME : h.lastClaimAt());
    try (PreparedStatement ps = sql.prepare(c, p)) {
      ps.executeUpdate();
    }
  }

  /** A delete from the relay table: a few rows, read whole. */
  @Override
  public void leave(Connection c, OutboxTables tables, long instance, Instant staleBefore)
      throws SQLException {
    Sql sql = sql(tables, "leave", () -> LEAVE);
    try (PreparedStatement ps =
        sql.prepare(c, Params.of("instance", instance, "staleBefore", staleBefore))) {
      ps.executeUpdate();
    }
  }

  // ---- helpers ----

  @FunctionalInterface
  private interface Template {
    String text();
  }

  /** The statement {@code shape} on {@code tables}, built from {@code template} the first time. */
  private static Sql sql(OutboxTables tables, String shape, Template template) {
    return STATEMENTS.computeIfAbsent(
        new Key(tables, shape),
        k ->
            Sql.of(
                template
                    .text()
                    .replace("{MC}", MESSAGE_COLUMNS)
                    .replace("{DC}", DEAD_COLUMNS)
                    .replace("{SAMPLE}", Integer.toString(Change.SAMPLE))
                    .replace("{T}", PostgresDialect.qualified(tables, tables.table()))
                    .replace("{D}", PostgresDialect.qualified(tables, tables.deadLetterTable()))
                    .replace("{P}", PostgresDialect.qualified(tables, tables.pauseTable()))
                    .replace("{R}", PostgresDialect.qualified(tables, tables.relayTable()))));
  }

  private static List<MessageView> messages(Connection c, Sql sql, Params p, Instant now)
      throws SQLException {
    List<MessageView> found = new ArrayList<>();
    try (PreparedStatement ps = sql.prepare(c, p);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(message(rs, now));
      }
    }
    return found;
  }

  private static MessageView message(ResultSet rs, Instant now) throws SQLException {
    Instant nextAttemptAt = instant(rs, "next_attempt_at");
    Instant leaseUntil = instant(rs, "lease_until");
    MessageState state =
        rs.getInt("status") == 1
            ? MessageState.SENT
            : MessageView.pendingState(now, nextAttemptAt, leaseUntil);
    return new MessageView(
        rs.getLong("id"),
        rs.getObject("message_id", UUID.class),
        rs.getString("topic"),
        rs.getString("msg_key"),
        state,
        rs.getInt("attempts"),
        instant(rs, "created_at"),
        nextAttemptAt,
        rs.getString("last_error"),
        rs.getObject("lease_token", UUID.class),
        leaseUntil,
        null,
        instant(rs, "sent_at"),
        rs.getLong("payload_size"),
        HeaderCodec.decode(rs.getString("headers")));
  }

  private static List<DeadLetterView> deadLetters(Connection c, Sql sql, Params p)
      throws SQLException {
    List<DeadLetterView> found = new ArrayList<>();
    try (PreparedStatement ps = sql.prepare(c, p);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(
            new DeadLetterView(
                rs.getLong("id"),
                rs.getLong("original_id"),
                rs.getObject("message_id", UUID.class),
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

  /** Runs a statement returning (id, count of all) rows: a {@link Change}. */
  private static Change change(Connection c, Sql sql, Params p, boolean dryRun)
      throws SQLException {
    List<Long> sample = new ArrayList<>();
    long rows = 0;
    try (PreparedStatement ps = sql.prepare(c, p);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        sample.add(rs.getLong(1));
        rows = rs.getLong(2);
      }
    }
    return new Change(rows, dryRun, sample);
  }

  private static long count(Connection c, Sql sql, Params p) throws SQLException {
    try (PreparedStatement ps = sql.prepare(c, p);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** Parameter values by name; null values allowed (bound as typed nulls). */
  private static final class Params {
    /** A null timestamp: a null of any other kind is bound as text. */
    static final Object NULL_TIME = new Object();

    private final Map<String, Object> values = new HashMap<>();

    static Params of(Object... namesAndValues) {
      Params p = new Params();
      for (int i = 0; i < namesAndValues.length; i += 2) {
        p.values.put((String) namesAndValues[i], namesAndValues[i + 1]);
      }
      return p;
    }

    Params with(String name, Object value) {
      values.put(name, value);
      return this;
    }
  }

  /** A statement with its {@code @name} parameters turned into positional ones. */
  private record Sql(String text, List<String> names) {

    static Sql of(String named) {
      NamedSql parsed = NamedSql.parse(named);
      return new Sql(parsed.sql(), parsed.names());
    }

    PreparedStatement prepare(Connection c, Params p) throws SQLException {
      PreparedStatement ps = c.prepareStatement(text);
      try {
        for (int i = 0; i < names.size(); i++) {
          String name = names.get(i);
          if (!p.values.containsKey(name)) {
            throw new IllegalStateException("no value for admin statement parameter @" + name);
          }
          bind(ps, i + 1, p.values.get(name));
        }
        return ps;
      } catch (SQLException | RuntimeException e) {
        ps.close();
        throw e;
      }
    }

    private static void bind(PreparedStatement ps, int i, Object value) throws SQLException {
      if (value == null) {
        ps.setNull(i, Types.VARCHAR);
      } else if (value == Params.NULL_TIME) {
        ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
      } else if (value instanceof Instant t) {
        ps.setObject(i, PostgresDialect.utc(t));
      } else if (value instanceof List<?> ids) {
        ps.setArray(i, ps.getConnection().createArrayOf("bigint", ids.toArray()));
      } else {
        ps.setObject(i, value);
      }
    }
  }
}
