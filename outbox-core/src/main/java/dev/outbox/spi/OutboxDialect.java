package dev.outbox.spi;

import dev.outbox.OutboxTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Everything that differs between databases: one implementation per database, holding all of its
 * SQL. The producer, the relay and the maintenance job are written once against this interface.
 *
 * <p>Every method receives a connection in auto-commit mode (the caller's own connection for {@link
 * #insert}, which is in a transaction instead). A method that runs more than one statement that
 * must be atomic opens and ends its own transaction, see {@link Jdbc#inTransaction}; a single
 * statement may run in auto-commit mode to save the round trip of a COMMIT. Implementations are
 * stateless or immutable and thread-safe.
 */
public interface OutboxDialect {

  /** A short name for logs and metrics, such as {@code postgresql}. */
  String name();

  /**
   * Whether this dialect works with the database a connection reports as {@code productName}
   * ({@link java.sql.DatabaseMetaData#getDatabaseProductName()}). {@code OutboxMigrations} asks
   * before it migrates anything, so that a dialect given the wrong database fails before it writes.
   * Default: any database.
   */
  default boolean supports(String productName) {
    return true;
  }

  /** The Flyway location of this database's migrations, such as {@code classpath:db/...}. */
  String migrationLocation();

  /**
   * The Flyway placeholders the migrations need for {@code tables}. Default: {@code outbox_table}
   * and {@code outbox_dead_table}.
   */
  default Map<String, String> migrationPlaceholders(OutboxTables tables) {
    return Map.of(
        "outbox_table", tables.table(),
        "outbox_dead_table", tables.deadLetterTable());
  }

  /**
   * Inserts {@code rows} through the caller's connection, inside the caller's transaction; never
   * commits, rolls back or closes it.
   */
  void insert(Connection c, OutboxTables tables, List<NewRow> rows) throws SQLException;

  /**
   * Claims up to {@link ClaimRequest#batchSize()} due messages not under a live lease, skipping
   * rows another relay has locked, and commits: each claimed row gets the request's lease token,
   * {@code lease_until = leaseUntil} and {@code attempts + 1}, and must not be claimed again before
   * {@code leaseUntil} unless it is acknowledged first.
   *
   * <p>Without {@link ClaimRequest#perKey()} the oldest due messages are claimed, in id order.
   *
   * <p>With {@link ClaimRequest#perKey()}, the claim takes, for each key it visits, a <em>run</em>:
   * the key's pending messages in id order, starting at its oldest pending message and ending
   * before the first one that is not due, is leased or could not be locked. A key whose oldest
   * pending message is not claimable contributes nothing, and a message is never claimed while an
   * older pending message of its key is not claimed with it. Keys are visited in key order after
   * {@link ClaimRequest#keyCursor()}, wrapping around to the first key, and each claim visits a
   * bounded number of them, so its cost depends on what it returns, not on the size of the backlog
   * or on how few keys hold it. Messages without a key are claimed in id order, sharing the batch
   * with the runs as {@link ClaimRequest#unkeyedFirst()} says.
   */
  ClaimResult claim(Connection c, OutboxTables tables, ClaimRequest request) throws SQLException;

  /**
   * Clears the {@code scheduled} flag of up to {@code limit} pending messages whose time has come
   * ({@code next_attempt_at <= now}), in auto-commit mode, so that the claims that read only
   * unscheduled rows find them; returns how many. A relay calls it every few hundred milliseconds
   * before it claims. It must be cheap when nothing is due: one probe of an index of the scheduled
   * rows. A per-key claim needs no release for keyed messages: its walk reads every pending row of
   * a key, scheduled or not, so a scheduled message holds its key back until it is sent. Default:
   * 0, for a dialect that stores no scheduled flag.
   */
  default int releaseScheduled(Connection c, OutboxTables tables, Instant now, int limit)
      throws SQLException {
    return 0;
  }

  /**
   * The first and the last key of the pending messages (status 0, key not null), or null when none
   * is pending: where a relay that has no key cursor picks its starting point, see {@link
   * KeyWalk#startBetween}. Read at most once a second per relay, so it must be cheap: two probes of
   * the pending key index. Default: null, and every relay starts at the first key.
   */
  default KeyWalk.Range pendingKeyRange(Connection c, OutboxTables tables) throws SQLException {
    return null;
  }

  /** Writes the outcomes of a batch, fenced by its lease token, and commits. */
  AckResult ack(Connection c, OutboxTables tables, AckBatch batch) throws SQLException;

  /**
   * Writes the outcomes of several batches, each fenced by its own lease token, and returns one
   * result per batch in the same order: what a relay with several batches in flight uses when more
   * than one has finished, so that they share a commit. An implementation that writes them in one
   * transaction must leave nothing written when it throws. Default: {@link #ack} for each batch in
   * turn.
   */
  default List<AckResult> ackAll(Connection c, OutboxTables tables, List<AckBatch> batches)
      throws SQLException {
    List<AckResult> results = new ArrayList<>(batches.size());
    for (AckBatch b : batches) {
      results.add(ack(c, tables, b));
    }
    return results;
  }

  /** Counts the backlog and the dead letters. */
  BacklogStats backlog(Connection c, OutboxTables tables) throws SQLException;

  /**
   * Starts a source that calls {@code onWake} soon after messages are committed to {@code tables}
   * (typically on its own thread named {@code outbox-<relayName>-listen}), or returns {@link
   * Wakeup#NONE} when the database offers no such signal. The source must survive connection loss.
   * Default: {@link Wakeup#NONE}.
   */
  default Wakeup listen(
      DataSource dataSource, OutboxTables tables, String relayName, Runnable onWake) {
    return Wakeup.NONE;
  }

  /**
   * The partition operations of this database, for {@code dev.outbox.PartitionMaintenance}.
   * Default: refuses with {@link UnsupportedOperationException} naming the dialect, for databases
   * whose module does not implement partition maintenance.
   */
  default PartitionSupport partitions() {
    throw new UnsupportedOperationException(
        "the "
            + name()
            + " dialect does not support partition maintenance; use a dialect that does, or do"
            + " not configure PartitionMaintenance for this database");
  }

  /**
   * The admin operations of this database: for {@code dev.outbox.OutboxAdmin}, and for the relay,
   * which reads the paused topics and reports itself through them. Default: refuses with {@link
   * UnsupportedOperationException} naming the dialect; a relay on such a dialect cannot be paused
   * and reports nothing.
   */
  default AdminSupport admin() {
    throw new UnsupportedOperationException(
        "the " + name() + " dialect does not support the admin operations (pause, replay, ...)");
  }

  /**
   * The dedup operations of this database, over a table of the shape {@link DedupSupport}
   * describes: what the consumer inbox ({@code dev.outbox.inbox.Inbox}) records processed message
   * ids with. Default: refuses with {@link UnsupportedOperationException} naming the dialect.
   */
  default DedupSupport dedup() {
    throw new UnsupportedOperationException(
        "the " + name() + " dialect does not support dedup tables (the consumer inbox)");
  }

  /**
   * The Flyway location of the migrations that create an inbox table (a dedup table, see {@link
   * DedupSupport}), whose scripts take its name as the placeholder {@value DedupTable#PLACEHOLDER}.
   * Default: refuses with {@link UnsupportedOperationException} naming the dialect.
   */
  default String inboxMigrationLocation() {
    throw new UnsupportedOperationException("the " + name() + " dialect ships no inbox migrations");
  }

  /**
   * Whether {@code e} is transient: the same work may succeed when retried later. Default: by
   * SQLState, see {@link SqlStates#isTransient}.
   */
  default boolean isTransient(SQLException e) {
    return SqlStates.isTransient(e);
  }
}
