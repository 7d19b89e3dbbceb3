package dev.outbox.postgres;

import dev.outbox.OutboxRecord;
import dev.outbox.OutboxTables;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.HeaderCodec;
import dev.outbox.spi.KeyWalk;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PostgreSQL claim: one statement, sent in one round trip with the {@linkplain
 * RelayPlanSettings settings} that keep its plan, in a transaction of its own. Without per-key
 * ordering it takes the oldest due rows in id order; with it, it walks the keys of the pending key
 * index and takes a run of each. The SQL text is built once per table set and kind of claim. The
 * README (Guarantees, per-key order) describes the claim.
 *
 * <p>While topics are paused ({@link ClaimRequest#pausedTopics()}) a claim of its own kind leaves
 * them out, bound as one {@code text[]}: a paused message is treated as one that is not due.
 * Without per-key order it is skipped; with it, a key whose oldest pending message is paused yields
 * nothing, and a run stops before the first paused message, so no later message of a key is sent
 * ahead of a paused one. Unpaused claims keep exactly the statements they had.
 */
final class PostgresClaim {

  /**
   * The oldest due rows in id order ({@code Ordering.NONE}). The ORDER BY names both columns of the
   * pending index so that only that index can deliver the order: ordered by id alone the primary
   * key qualifies as well, and with stale statistics the planner walks every sent row on each
   * claim.
   *
   * <p>The locked rows are picked once, in a materialized CTE, and the update finds them by id (the
   * created_at range lets partitions be pruned). Joined as a subquery instead, the planner may
   * rescan the LIMIT … FOR UPDATE SKIP LOCKED for every row of the table.
   *
   * <p>The lease is checked through {@code lease_until} rather than stamped into {@code
   * next_attempt_at}: the claim then changes no indexed column, so with the free space the tables
   * keep on every page (fillfactor, see the V2 and V5 migrations) PostgreSQL writes it as a
   * heap-only update. Leased rows stay in the pending index; {@code @after} (the request's {@code
   * afterId}) lets a relay with batches in flight start the index range after them instead of
   * reading through them.
   */
  private static final String UNORDERED =
      """
      WITH picked AS MATERIALIZED (
          SELECT m.id, m.created_at
            FROM {T} m
           WHERE m.status = 0 AND NOT m.scheduled AND m.id > @after AND m.next_attempt_at <= @now
             AND (m.lease_until IS NULL OR m.lease_until <= @now){M_NOT_PAUSED}
           ORDER BY m.id, m.next_attempt_at
           LIMIT @batch
             FOR UPDATE SKIP LOCKED)
      {UPDATE}
      SELECT c.*, NULL::text AS walk_key, NULL::int AS walked FROM claimed c
      """;

  /**
   * A per-key claim. {@code walk} visits the keys of the pending key index in key order after the
   * cursor, one index probe a key (a skip scan: PostgreSQL has no loose index scan of its own) that
   * also finds the key's oldest row and whether it may be claimed, and takes the key's run (none,
   * without reading further, when the oldest row is leased or not due), until the batch is full or
   * {@code @maxKeys} keys were visited. Messages without a key come from their own partial index,
   * in id order, before or after the runs.
   *
   * <p>The runs are leased with the messages without a key, by one {@code UPDATE} that finds the
   * rows by id (the one of the claim without order): a statement on the table alone, since a join
   * of the runs to the table can be planned from the wrong side, or through the wrong index, when
   * the statistics are stale or missing. Every row it updates is locked by this transaction.
   */
  private static final String PER_KEY =
      """
      WITH RECURSIVE
      unkeyed AS MATERIALIZED (
          SELECT m.id, m.created_at
            FROM {T} m
           WHERE m.status = 0 AND m.msg_key IS NULL AND NOT m.scheduled
             AND m.next_attempt_at <= @now
             AND (m.lease_until IS NULL OR m.lease_until <= @now){M_NOT_PAUSED}
           ORDER BY m.id, m.next_attempt_at
           LIMIT {UNKEYED_LIMIT}
             FOR UPDATE SKIP LOCKED),
      first AS (
          SELECT msg_key, {HEAD_OK} AS ok FROM {T}
           WHERE status = 0 AND msg_key IS NOT NULL {AFTER_CURSOR}
           ORDER BY msg_key, id LIMIT 1),
      walk(n, k, taken, ids, cats) AS (
          SELECT 1, f.msg_key, {START} + coalesce(cardinality(h.ids), 0), h.ids, h.cats
            FROM first f
            {RUN:f:@batch - {START}}
        UNION ALL
          SELECT w.n + 1, nk.msg_key, w.taken + coalesce(cardinality(h.ids), 0), h.ids, h.cats
            FROM walk w
            CROSS JOIN LATERAL (
                SELECT msg_key, {HEAD_OK} AS ok FROM {T}
                 WHERE status = 0 AND msg_key IS NOT NULL AND msg_key > w.k
                 ORDER BY msg_key, id LIMIT 1) nk
            {RUN:nk:@batch - w.taken}
           WHERE w.taken < @batch AND w.n < @maxKeys),
      picked AS (
          SELECT id, created_at FROM unkeyed
          UNION ALL
          SELECT unnest(ids), unnest(cats) FROM walk WHERE ids IS NOT NULL),
      {UPDATE}
      SELECT c.*, NULL::text AS walk_key, NULL::int AS walked FROM claimed c
      UNION ALL
      SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, w.k, w.n
        FROM walk w
       WHERE w.n = (SELECT max(n) FROM walk)
      """;

  /**
   * A key's run: its first pending rows in id order ({@code s}) up to the first that is not due or
   * is leased, then locked ({@code l}: the key's index range between the run's first and last id,
   * skipping rows another transaction holds), then cut before the first row that could not be
   * locked ({@code h}, comparing the two sorted arrays), so that a run never has a gap. The first
   * row of {@code s} is the key's oldest pending row, so a key whose oldest row is leased, waiting
   * for a retry or locked by another relay's claim yields nothing and the walk moves on.
   *
   * <p>{@code s} names its key as a range of one value and orders by key and id, so that only the
   * pending key index can deliver it. Written as {@code msg_key = …}, the planner knows the key is
   * constant, drops it from the order, and with few keys prefers walking the pending index in id
   * order past every other key's rows (ten times what it returns with 10 keys). {@code l} names it
   * as {@code msg_key = ANY (ARRAY[…])}: the index scan takes that as equality, so the id bounds
   * end its scan of the key index, while the planner, seeing no equality, keeps the key in the
   * order, which only the key index delivers. With {@code msg_key = …} a never-analysed table had
   * {@code l} read the pending index's id range instead: every pending row between the run's first
   * and last id, nearly the whole backlog with 1,000 keys.
   */
  private static final String RUN =
      """
      CROSS JOIN LATERAL (
          SELECT array_agg(a.id ORDER BY a.id) ids, array_agg(a.created_at ORDER BY a.id) cats
            FROM (SELECT id, created_at,
                         bool_and(next_attempt_at <= @now
                                  AND (lease_until IS NULL OR lease_until <= @now){NOT_PAUSED})
                           OVER (ORDER BY msg_key, id) AS ok
                    FROM {T}
                   WHERE {HEAD}.ok AND status = 0
                     AND msg_key >= {HEAD}.msg_key AND msg_key <= {HEAD}.msg_key
                   ORDER BY msg_key, id
                   LIMIT {LIMIT}) a
           WHERE a.ok) s
      CROSS JOIN LATERAL (
          SELECT array_agg(z.id ORDER BY z.id) held
            FROM (SELECT x.id FROM {T} x
                   WHERE x.status = 0 AND x.msg_key IS NOT NULL
                     AND x.msg_key = ANY (ARRAY[{HEAD}.msg_key])
                     AND x.id BETWEEN s.ids[1] AND s.ids[cardinality(s.ids)]
                     AND x.next_attempt_at <= @now
                     AND (x.lease_until IS NULL OR x.lease_until <= @now)
                   ORDER BY x.msg_key, x.id
                     FOR UPDATE SKIP LOCKED) z) l
      CROSS JOIN LATERAL (
          SELECT s.ids[1:p.n] ids, s.cats[1:p.n] cats
            FROM (SELECT coalesce(min(u.o) - 1, cardinality(s.ids)) n
                    FROM unnest(s.ids, l.held) WITH ORDINALITY u(id, held, o)
                   WHERE u.held IS DISTINCT FROM u.id) p) h
      """;

  /** Whether a row may be claimed now: due, and not under a live lease. */
  private static final String CLAIMABLE =
      "(next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now){NOT_PAUSED})";

  /**
   * Left out of claims while topics are paused: a paused message is treated as one that is not due.
   * Claims without paused topics (almost all of them) leave it out of their text altogether, so
   * that their statements, and the plans PostgreSQL keeps for them, stay as they were.
   */
  private static final String NOT_PAUSED = " AND topic <> ALL (@paused)";

  /** Stamps the lease on the picked rows, found by id; no indexed column changes. */
  private static final String UPDATE =
      """
      claimed AS (
          UPDATE {T} t
             SET attempts = t.attempts + 1, lease_token = @token, lease_until = @until
           WHERE t.id = ANY (ARRAY(SELECT id FROM picked))
             AND t.created_at BETWEEN (SELECT min(created_at) FROM picked)
                                  AND (SELECT max(created_at) FROM picked)
          RETURNING {RETURNING})
      """;

  /** What a claim returns of each row it leased. */
  private static final String RETURNING =
      "t.id, t.message_id, t.topic, t.msg_key, t.payload, t.headers, t.created_at, t.attempts";

  /** One kind of claim on one table set. */
  private record Kind(
      OutboxTables tables,
      boolean perKey,
      boolean fromCursor,
      KeyWalk.Unkeyed unkeyed,
      boolean paused) {}

  private static final Map<Kind, Statement> STATEMENTS = new ConcurrentHashMap<>();

  private PostgresClaim() {}

  /** Claims on {@code c}, in auto-commit mode. */
  static ClaimResult claim(Connection c, OutboxTables tables, ClaimRequest r) throws SQLException {
    if (r.pausedTopics().contains(AdminSupport.ALL_TOPICS)) {
      // The relay does not claim while every topic is paused; should a caller ask, claim nothing.
      return ClaimResult.none(r.keyCursor());
    }
    boolean paused = !r.pausedTopics().isEmpty();
    if (!r.perKey()) {
      Kind kind = new Kind(tables, false, false, KeyWalk.Unkeyed.NONE, paused);
      return run(c, kind, r, null, r.batchSize());
    }
    return KeyWalk.claim(
        r,
        (cursor, unkeyed, target) ->
            run(c, new Kind(tables, true, cursor != null, unkeyed, paused), r, cursor, target));
  }

  private static ClaimResult run(Connection c, Kind kind, ClaimRequest r, String cursor, int target)
      throws SQLException {
    Statement statement = STATEMENTS.computeIfAbsent(kind, PostgresClaim::build);
    return statement.run(c, r, cursor, target); // one statement: its own transaction
  }

  private static Statement build(Kind kind) {
    String table = PostgresDialect.qualified(kind.tables(), kind.tables().table());
    String sql;
    if (!kind.perKey()) {
      sql = UNORDERED.replace("{UPDATE}", ", " + UPDATE.strip());
    } else {
      String start =
          kind.unkeyed() == KeyWalk.Unkeyed.FIRST ? "(SELECT count(*)::int FROM unkeyed)" : "0";
      String unkeyedLimit =
          switch (kind.unkeyed()) {
            case FIRST -> "@batch";
            case AFTER -> "@batch - (SELECT coalesce(max(taken), 0) FROM walk)";
            case NONE -> "0";
          };
      sql =
          PER_KEY
              .replace("{RUN:f:@batch - {START}}", run("f", "@batch - {START}"))
              .replace("{RUN:nk:@batch - w.taken}", run("nk", "@batch - w.taken"))
              .replace("{HEAD_OK}", CLAIMABLE)
              .replace("{START}", start)
              .replace("{UNKEYED_LIMIT}", unkeyedLimit)
              .replace("{AFTER_CURSOR}", kind.fromCursor() ? "AND msg_key > @cursor" : "")
              .replace("{UPDATE}", UPDATE.strip());
    }
    String notPaused = kind.paused() ? NOT_PAUSED : "";
    sql =
        sql.replace("{M_NOT_PAUSED}", notPaused.replace("topic", "m.topic"))
            .replace("{NOT_PAUSED}", notPaused);
    return Statement.of(
        RelayPlanSettings.PREFIX + sql.replace("{RETURNING}", RETURNING).replace("{T}", table));
  }

  private static String run(String head, String limit) {
    return RUN.replace("{HEAD}", head).replace("{LIMIT}", limit);
  }

  /** A claim statement with its {@code @name} parameters turned into positional ones. */
  private record Statement(String sql, List<String> params) {

    static Statement of(String named) {
      NamedSql parsed = NamedSql.parse(named);
      return new Statement(parsed.sql(), parsed.names());
    }

    ClaimResult run(Connection c, ClaimRequest r, String cursor, int batch) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < params.size(); i++) {
          bind(ps, i + 1, params.get(i), r, cursor, batch);
        }
        try (ResultSet rs = RelayPlanSettings.execute(ps)) {
          return read(rs, r, cursor, batch);
        }
      }
    }

    private static void bind(
        PreparedStatement ps, int i, String name, ClaimRequest r, String cursor, int batch)
        throws SQLException {
      switch (name) {
        case "now" -> ps.setObject(i, PostgresDialect.utc(r.now()));
        case "batch" -> ps.setInt(i, batch);
        case "maxKeys" -> ps.setInt(i, KeyWalk.maxKeys(r.batchSize()));
        case "after" -> ps.setLong(i, r.afterId());
        case "cursor" -> ps.setString(i, cursor);
        case "token" -> ps.setObject(i, r.leaseToken());
        case "until" -> ps.setObject(i, PostgresDialect.utc(r.leaseUntil()));
        case "paused" ->
            ps.setArray(i, ps.getConnection().createArrayOf("text", r.pausedTopics().toArray()));
        default -> throw new IllegalStateException("unknown claim parameter @" + name);
      }
    }

    private static ClaimResult read(ResultSet rs, ClaimRequest r, String cursor, int batch)
        throws SQLException {
      List<OutboxRecord> claimed = new ArrayList<>(batch);
      String lastKey = null;
      int visited = 0;
      while (rs.next()) {
        if (rs.getObject("id") != null) {
          claimed.add(record(rs));
        } else {
          lastKey = rs.getString("walk_key");
          visited = rs.getInt("walked");
        }
      }
      claimed.sort(Comparator.comparingLong(OutboxRecord::id));
      if (!r.perKey()) {
        return new ClaimResult(claimed, null, false);
      }
      return KeyWalk.result(claimed, batch, cursor, visited, lastKey, r.batchSize());
    }

    private static OutboxRecord record(ResultSet rs) throws SQLException {
      return new OutboxRecord(
          rs.getLong("id"),
          rs.getObject("message_id", UUID.class),
          rs.getString("topic"),
          rs.getString("msg_key"),
          rs.getBytes("payload"),
          HeaderCodec.decode(rs.getString("headers")),
          rs.getObject("created_at", OffsetDateTime.class).toInstant(),
          rs.getInt("attempts"));
    }
  }
}
