package dev.outbox.mysql;

import dev.outbox.OutboxTables;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.spi.AdminFilters;
import dev.outbox.spi.AdminJdbc;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.NamedSql;
import dev.outbox.spi.SqlParams;
import dev.outbox.spi.StatementCache;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replay and purge of dead letters on MySQL and MariaDB, for {@link MySqlAdmin}: MySQL has no
 * {@code DELETE … RETURNING} to move rows in one statement, so the matching dead letters are locked
 * ({@code FOR UPDATE}, READ COMMITTED), copied back and deleted by primary key, {@value #CHUNK} ids
 * at a time, and the counts are checked against what was locked.
 */
final class MySqlDeadLetterMoves {

  /** Most ids in one {@code IN} list of a replay or purge. */
  static final int CHUNK = 1000;

  /** What a dry run counts. */
  static final String COUNT_DEAD = "SELECT count(*) FROM {D} WHERE 1 = 1";

  static final String LOCK_DEAD = "SELECT id, original_id FROM {D} WHERE 1 = 1";

  private static final String EXISTING_IDS =
      "SELECT DISTINCT id FROM {T} FORCE INDEX (PRIMARY) WHERE id IN (@ids)";

  private static final String REPLAY_COLUMNS =
      "message_id, topic, msg_key, payload, headers, created_at, status, attempts,"
          + " next_attempt_at, replay_count";

  private static final String REPLAY_VALUES =
      "message_id, topic, msg_key, payload, headers, UTC_TIMESTAMP(6), 0, 0, @now,"
          + " replay_count + 1 FROM {D} WHERE id IN (@ids) ORDER BY id";

  private static final String REPLAY_ORIGINAL =
      "INSERT INTO {T} (id, " + REPLAY_COLUMNS + ") SELECT original_id, " + REPLAY_VALUES;

  private static final String REPLAY_END =
      "INSERT INTO {T} (" + REPLAY_COLUMNS + ") SELECT " + REPLAY_VALUES;

  private static final String DELETE_DEAD = "DELETE FROM {D} WHERE id IN (@ids)";

  private final StatementCache statements;
  private final AdminJdbc jdbc;

  MySqlDeadLetterMoves(StatementCache statements, AdminJdbc jdbc) {
    this.statements = statements;
    this.jdbc = jdbc;
  }

  /** Moves the matching dead letters back into the message table, in one transaction. */
  Change replay(
      Connection c,
      OutboxTables tables,
      DeadLetterFilter filter,
      ReplayPlacement placement,
      Instant now)
      throws SQLException {
    return Jdbc.inTransaction(
        c,
        tx -> {
          Sql.readCommittedNext(tx);
          Map<Long, Long> locked = lockDead(tx, tables, filter); // dead id -> original id
          if (locked.isEmpty()) {
            return new Change(0, false, List.of());
          }
          List<Long> atOriginal = new ArrayList<>();
          List<Long> atEnd = new ArrayList<>();
          if (placement == ReplayPlacement.ORIGINAL) {
            Set<Long> taken = existing(tx, tables, List.copyOf(locked.values()));
            for (Map.Entry<Long, Long> e : locked.entrySet()) {
              // taken.add: two dead letters of one original id (not normally possible) get it once
              (taken.add(e.getValue()) ? atOriginal : atEnd).add(e.getKey());
            }
          } else {
            atEnd.addAll(locked.keySet());
          }
          SqlParams at = SqlParams.of("now", now);
          long copied = inChunks(tx, sql(tables, REPLAY_ORIGINAL), atOriginal, at);
          copied += inChunks(tx, sql(tables, REPLAY_END), atEnd, at);
          long deleted = deleteDead(tx, tables, locked.keySet());
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

  /** Deletes the matching dead letters, in one transaction. */
  Change purge(Connection c, OutboxTables tables, DeadLetterFilter filter) throws SQLException {
    return Jdbc.inTransaction(
        c,
        tx -> {
          Sql.readCommittedNext(tx);
          Map<Long, Long> locked = lockDead(tx, tables, filter);
          long deleted = deleteDead(tx, tables, locked.keySet());
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

  /** {@code base} with the filter's conditions and then {@code tail}, cached by shape. */
  static NamedSql filtered(
      StatementCache statements,
      OutboxTables tables,
      String base,
      DeadLetterFilter f,
      String tail) {
    List<String> criteria = AdminFilters.criteria(f, "id IN (@ids)", "INSTR(reason, @reason) > 0");
    return statements.get(
        tables,
        base + '|' + AdminFilters.shape(f) + '|' + tail,
        () -> base + AdminFilters.and(criteria, " AND ", "") + tail);
  }

  /** The ids are expanded into one parameter each. */
  static SqlParams params(DeadLetterFilter f) {
    return AdminFilters.params(f, f.ids().isEmpty() ? null : SqlParams.expand(f.ids()));
  }

  /** A dry run of a replay or purge: how many dead letters match and the first ids. */
  Change count(Connection c, OutboxTables tables, DeadLetterFilter filter) throws SQLException {
    long rows = jdbc.count(c, filtered(statements, tables, COUNT_DEAD, filter, ""), params(filter));
    NamedSql first = filtered(statements, tables, LOCK_DEAD, filter, " ORDER BY id LIMIT {SAMPLE}");
    List<Long> sample = jdbc.list(c, first, params(filter), AdminJdbc.firstLong());
    return new Change(rows, true, sample);
  }

  /** Locks the matching dead letters; their ids with their original ids, in id order. */
  private Map<Long, Long> lockDead(Connection c, OutboxTables tables, DeadLetterFilter filter)
      throws SQLException {
    NamedSql sql = filtered(statements, tables, LOCK_DEAD, filter, " ORDER BY id FOR UPDATE");
    Map<Long, Long> locked = new LinkedHashMap<>();
    jdbc.list(c, sql, params(filter), rs -> locked.put(rs.getLong(1), rs.getLong(2)));
    return locked;
  }

  /** Which of {@code ids} are in the message table. */
  private Set<Long> existing(Connection c, OutboxTables tables, List<Long> ids)
      throws SQLException {
    Set<Long> found = new HashSet<>();
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      SqlParams p = SqlParams.of("ids", SqlParams.expand(chunk));
      found.addAll(jdbc.list(c, sql(tables, EXISTING_IDS), p, AdminJdbc.firstLong()));
    }
    return found;
  }

  private long deleteDead(Connection c, OutboxTables tables, Set<Long> ids) throws SQLException {
    return inChunks(c, sql(tables, DELETE_DEAD), List.copyOf(ids), SqlParams.of());
  }

  /**
   * Runs {@code sql} (an {@code IN (@ids)} statement) for {@code ids}, {@value #CHUNK} at a time,
   * with the other parameters from {@code p}; the rows changed.
   */
  private long inChunks(Connection c, NamedSql sql, List<Long> ids, SqlParams p)
      throws SQLException {
    long changed = 0;
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      changed += jdbc.update(c, sql, p.with("ids", SqlParams.expand(chunk)));
    }
    return changed;
  }

  private static List<Long> sample(Set<Long> ids) {
    return ids.stream().sorted().limit(Change.SAMPLE).toList();
  }

  private NamedSql sql(OutboxTables tables, String template) {
    return statements.get(tables, template, () -> template);
  }
}
