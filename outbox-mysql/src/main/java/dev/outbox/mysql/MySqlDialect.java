package dev.outbox.mysql;

import dev.outbox.OutboxTables;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.HeaderCodec;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.KeyWalk;
import dev.outbox.spi.NewRow;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.PartitionSupport;
import dev.outbox.spi.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The MySQL (8.0+) and MariaDB (10.6+) dialect, over mysql-connector-j. Both need {@code SELECT …
 * FOR UPDATE SKIP LOCKED} (MySQL 8.0.1, MariaDB 10.6) and InnoDB.
 *
 * <p>A claim is one short READ COMMITTED transaction: {@code SELECT … FOR UPDATE SKIP LOCKED} picks
 * and locks the due rows, an {@code UPDATE} stamps the lease, and the transaction commits; neither
 * database has {@code UPDATE … RETURNING}. An acknowledgement writes only the rows that still carry
 * the batch's lease token and reports exactly which rows it wrote: a batch that is all sent is one
 * fenced {@code UPDATE}, kept when it wrote every row; any other batch (or one whose update missed
 * rows) locks the rows that still carry the token first and writes only those. Claims and acks run
 * at READ COMMITTED whatever the session's isolation level, so InnoDB takes no gap locks that could
 * block producers' inserts.
 *
 * <p>There is no LISTEN/NOTIFY, and a bare {@link Connection} does not tell the outbox when the
 * caller commits, so relays poll: at once again after a full batch, soon after a partial one, and
 * backing off to the relay's poll interval while claims come back empty. {@link #listen} is
 * therefore {@link dev.outbox.spi.Wakeup#NONE}; an idle relay picks a new message up within its
 * poll interval.
 *
 * <p>Times are {@code DATETIME(6)} holding UTC: {@code created_at} is the database clock ({@code
 * UTC_TIMESTAMP(6)}), and instants from the relay's clock are bound as UTC text, so neither the
 * session time zone nor the JVM's matters.
 *
 * <p>Where MySQL and MariaDB differ, this dialect uses only what both accept:
 *
 * <ul>
 *   <li>mysql-connector-j sees MariaDB as server version 5.5.5 (MariaDB's handshake prefix) and
 *       then drops the fractional seconds of bound {@code LocalDateTime}s and {@code Timestamp}s;
 *       binding times as text keeps their microseconds on both.
 *   <li>{@code JSON} is a native binary type on MySQL (which normalizes the text it returns) and an
 *       alias of {@code LONGTEXT} with a {@code JSON_VALID} check on MariaDB (which returns the
 *       text as written); headers are decoded by {@link HeaderCodec}, which accepts both forms.
 *   <li>MariaDB has {@code DELETE … RETURNING} and MySQL has not, so dead-lettering is an {@code
 *       INSERT … SELECT} and a {@code DELETE} of the same locked rows.
 *   <li>The session variable is {@code transaction_isolation} on MySQL and {@code tx_isolation} on
 *       MariaDB before 11.1; the dialect uses the {@code SET TRANSACTION ISOLATION LEVEL}
 *       statement, which both accept, and reads neither.
 *   <li>MySQL reports some transient conditions with the generic SQLState {@code HY000}; {@link
 *       #isTransient} also recognizes them by error code, including MariaDB's own {@code 1927}
 *       (connection killed).
 * </ul>
 *
 * <p>Needs {@code binlog_format} {@code ROW} or {@code MIXED} (the defaults) where binary logging
 * is on: READ COMMITTED transactions cannot be logged as statements. Immutable and thread-safe.
 */
public final class MySqlDialect implements OutboxDialect {

  /**
   * The Flyway location of the MySQL and MariaDB migrations: outside Flyway's and Spring Boot's
   * default {@code classpath:db/migration}, so an application's own Flyway never picks them up.
   */
  public static final String MIGRATION_LOCATION = "classpath:dev/outbox/migration/mysql";

  /** The Flyway location of the MySQL and MariaDB inbox migrations. */
  public static final String INBOX_MIGRATION_LOCATION =
      "classpath:dev/outbox/migration/inbox/mysql";

  /** Most rows per INSERT statement when enlisting many messages. */
  static final int INSERT_CHUNK_ROWS = 1000;

  /**
   * Payload and header bytes per INSERT statement: a statement must fit the server's {@code
   * max_allowed_packet} (16 MiB by default on MariaDB, 64 MiB on MySQL) even when the driver
   * escapes binary payloads. A single larger message is sent alone.
   */
  static final long INSERT_CHUNK_BYTES = 4L * 1024 * 1024;

  /**
   * MySQL error codes that mean "try again later" but come with the generic SQLState HY000 or
   * another class that {@link SqlStates} does not treat as transient: lock wait timeout (1205),
   * deadlock (1213), server read-only as during a failover (1290, 1836), query interrupted (1317),
   * and MariaDB's connection killed (1927).
   */
  static final Set<Integer> TRANSIENT_ERROR_CODES = Set.of(1205, 1213, 1290, 1317, 1836, 1927);

  /** Creates the dialect; it has no settings. */
  public MySqlDialect() {}

  @Override
  public String name() {
    return "mysql";
  }

  /** MySQL and MariaDB (which reports itself as either, depending on the driver). */
  @Override
  public boolean supports(String productName) {
    return "MySQL".equalsIgnoreCase(productName) || "MariaDB".equalsIgnoreCase(productName);
  }

  @Override
  public String migrationLocation() {
    return MIGRATION_LOCATION;
  }

  // ---- enlist ----

  /** created_at is the database clock in UTC; CURRENT_TIMESTAMP would follow the session zone. */
  private static final String INSERT_INTO =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, created_at, next_attempt_at)
      VALUES %s
      """;

  private static final String INSERT_ROW = "(?, ?, ?, ?, ?, UTC_TIMESTAMP(6), ?)";

  /** The INSERT of a chunk holding a scheduled message (rare): two more columns a row. */
  private static final String INSERT_SCHEDULED_INTO =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, created_at, next_attempt_at,
                      deliver_at, scheduled)
      VALUES %s
      """;

  private static final String INSERT_SCHEDULED_ROW = "(?, ?, ?, ?, ?, UTC_TIMESTAMP(6), ?, ?, ?)";

  @Override
  public void insert(Connection c, OutboxTables tables, List<NewRow> rows) throws SQLException {
    String table = Sql.qualified(tables, tables.table());
    int from = 0;
    while (from < rows.size()) {
      int to = chunkEnd(rows, from);
      insertChunk(c, table, rows.subList(from, to));
      from = to;
    }
  }

  /** The end (exclusive) of the chunk starting at {@code from}: at least one row. */
  static int chunkEnd(List<NewRow> rows, int from) {
    long bytes = 0;
    int to = from;
    while (to < rows.size() && to - from < INSERT_CHUNK_ROWS) {
      bytes += approximateBytes(rows.get(to));
      if (bytes > INSERT_CHUNK_BYTES && to > from) {
        break;
      }
      to++;
    }
    return to;
  }

  private static long approximateBytes(NewRow r) {
    return r.payload().length + r.headersJson().length() + r.topic().length() + 100L;
  }

  private static void insertChunk(Connection c, String table, List<NewRow> chunk)
      throws SQLException {
    boolean scheduled = chunk.stream().anyMatch(NewRow::scheduled);
    String sql =
        scheduled
            ? String.format(
                INSERT_SCHEDULED_INTO, table, Sql.repeat(INSERT_SCHEDULED_ROW, chunk.size()))
            : String.format(INSERT_INTO, table, Sql.repeat(INSERT_ROW, chunk.size()));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      for (NewRow r : chunk) {
        ps.setString(i++, r.messageId().toString());
        ps.setString(i++, r.topic());
        ps.setString(i++, r.key());
        ps.setBytes(i++, r.payload());
        ps.setString(i++, r.headersJson());
        ps.setString(i++, Sql.utc(r.availableAt()));
        if (scheduled) {
          ps.setString(i++, r.scheduled() ? Sql.utc(r.deliverAt()) : null);
          ps.setInt(i++, r.scheduled() ? 1 : 0);
        }
      }
      ps.executeUpdate();
    }
  }

  // ---- claim ----

  @Override
  public ClaimResult claim(Connection c, OutboxTables tables, ClaimRequest r) throws SQLException {
    String table = Sql.qualified(tables, tables.table());
    return MySqlClaim.claim(c, table, r);
  }

  // ---- ack ----

  @Override
  public AckResult ack(Connection c, OutboxTables tables, AckBatch b) throws SQLException {
    if (b.isEmpty()) {
      return new AckResult(Set.of(), Set.of(), Set.of());
    }
    String table = Sql.qualified(tables, tables.table());
    String deadTable = Sql.qualified(tables, tables.deadLetterTable());
    return Jdbc.inTransaction(c, tx -> MySqlAck.write(tx, table, deadTable, b));
  }

  // ---- scheduled messages ----

  /**
   * The scheduled rows whose time has come, through scheduled_idx (status, scheduled,
   * next_attempt_at), oldest time first; rows another transaction holds are left for the next call.
   * Locked first, and then updated by primary key, because an UPDATE cannot skip locked rows: a
   * single UPDATE … LIMIT would wait behind a claim holding one of them.
   */
  private static final String LOCK_DUE_SCHEDULED =
      """
      SELECT id FROM %s FORCE INDEX (scheduled_idx)
       WHERE status = 0 AND scheduled = 1 AND next_attempt_at <= ?
       ORDER BY next_attempt_at
       LIMIT ?
         FOR UPDATE SKIP LOCKED
      """;

  private static final String RELEASE =
      "UPDATE %s FORCE INDEX (PRIMARY) SET scheduled = 0 WHERE id IN (%s) AND scheduled = 1";

  @Override
  public int releaseScheduled(Connection c, OutboxTables tables, Instant now, int limit)
      throws SQLException {
    String table = Sql.qualified(tables, tables.table());
    return Jdbc.inTransaction(
        c,
        tx -> {
          Sql.readCommittedNext(tx);
          List<Long> ids = new ArrayList<>();
          try (PreparedStatement ps =
              tx.prepareStatement(String.format(LOCK_DUE_SCHEDULED, table))) {
            ps.setString(1, Sql.utc(now));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getLong(1));
              }
            }
          }
          if (ids.isEmpty()) {
            return 0;
          }
          String sql = String.format(RELEASE, table, Sql.repeat("?", ids.size()));
          try (PreparedStatement ps = tx.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
              ps.setLong(i + 1, ids.get(i));
            }
            return ps.executeUpdate();
          }
        });
  }

  // ---- operations ----

  private static final String BACKLOG =
      """
      SELECT (SELECT count(*) FROM %1$s FORCE INDEX (pending_idx)
               WHERE status = 0 AND scheduled = 0),
             (SELECT COALESCE(deliver_at, created_at) FROM %1$s FORCE INDEX (pending_idx)
               WHERE status = 0 AND scheduled = 0 ORDER BY id LIMIT 1),
             (SELECT count(*) FROM %2$s)
      """;

  @Override
  public BacklogStats backlog(Connection c, OutboxTables tables) throws SQLException {
    String sql =
        String.format(
            BACKLOG,
            Sql.qualified(tables, tables.table()),
            Sql.qualified(tables, tables.deadLetterTable()));
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      LocalDateTime oldest = rs.getObject(2, LocalDateTime.class);
      return new BacklogStats(
          rs.getLong(1), oldest == null ? null : Sql.instant(oldest), rs.getLong(3));
    }
  }

  /**
   * The ends of the pending keys: the first entry of the {@code (status = 0, msg_key)} range of
   * {@code pending_key_run_idx} from each end, one index dive each (an ordered read across the
   * partitions). MIN and MAX over the same range read every pending entry of a partitioned table.
   */
  private static final String KEY_RANGE =
      """
      SELECT (SELECT msg_key FROM %1$s WHERE status = 0 AND msg_key IS NOT NULL
               ORDER BY status, msg_key LIMIT 1),
             (SELECT msg_key FROM %1$s WHERE status = 0 AND msg_key IS NOT NULL
               ORDER BY status DESC, msg_key DESC LIMIT 1)
      """;

  @Override
  public KeyWalk.Range pendingKeyRange(Connection c, OutboxTables tables) throws SQLException {
    return KeyWalk.Range.read(c, String.format(KEY_RANGE, Sql.qualified(tables, tables.table())));
  }

  /**
   * Partition maintenance by {@code ALTER TABLE … REORGANIZE PARTITION} and {@code DROP PARTITION},
   * each with the table write-locked for at most the job's lock timeout, under a {@code GET_LOCK}
   * session lock; see docs/mysql.md, partition maintenance on MySQL and MariaDB.
   */
  @Override
  public PartitionSupport partitions() {
    return MySqlPartitions.INSTANCE;
  }

  /**
   * The admin operations (pause, replay, key diagnosis, relay heartbeats) over the tables of the V3
   * migration; each method's documentation says what it reads. The statements of a set of tables
   * are built on first use and kept.
   */
  @Override
  public AdminSupport admin() {
    return MySqlAdmin.INSTANCE;
  }

  /**
   * Dedup tables by {@code INSERT … ON DUPLICATE KEY UPDATE} and batched deletes of a whole slot
   * partition; see {@link MySqlDedup}.
   */
  @Override
  public DedupSupport dedup() {
    return MySqlDedup.INSTANCE;
  }

  /** {@value #INBOX_MIGRATION_LOCATION}. */
  @Override
  public String inboxMigrationLocation() {
    return INBOX_MIGRATION_LOCATION;
  }

  /**
   * Transient by SQLState (see {@link SqlStates#isTransient}) or by one of the MySQL and MariaDB
   * error codes in {@link #TRANSIENT_ERROR_CODES}.
   */
  @Override
  public boolean isTransient(SQLException e) {
    if (SqlStates.isTransient(e)) {
      return true;
    }
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (TRANSIENT_ERROR_CODES.contains(x.getErrorCode())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "MySqlDialect";
  }
}
