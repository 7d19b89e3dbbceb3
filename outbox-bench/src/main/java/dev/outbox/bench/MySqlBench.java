package dev.outbox.bench;

import dev.outbox.OutboxTables;
import dev.outbox.mysql.MySqlDialect;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark on MySQL and MariaDB: a dedicated database (see {@link MySqlBenchSchema}) holding
 * the outbox's tables and the raw baseline's, both created by the outbox's own migrations under
 * different names, so they have the same columns, indexes and partitioning. Every pool runs at READ
 * COMMITTED, the level the outbox's claims and acks use, so the raw consumer takes no gap locks
 * either. MySQL has no notifications: the NOTIFY variants are not run.
 */
final class MySqlBench extends SqlBench {

  /** The settings recorded with the results (each database knows some of them). */
  static final List<String> SETTINGS =
      List.of(
          "innodb_buffer_pool_size",
          "innodb_flush_log_at_trx_commit",
          "innodb_doublewrite",
          "innodb_flush_method",
          "innodb_log_file_size",
          "innodb_redo_log_capacity",
          "innodb_io_capacity",
          "innodb_purge_threads",
          "log_bin",
          "sync_binlog",
          "binlog_format",
          "max_connections");

  /** Message n: key {@code key-(n mod keys)}, a payload of the given size, due a second ago. */
  private static final String LOAD_PENDING =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, created_at, next_attempt_at)
      SELECT UUID(), 'bench', CONCAT('key-', n MOD ?), RPAD(CONCAT(n, ':'), ?, 'x'), '{}',
             UTC_TIMESTAMP(6), ?
        FROM (%s) AS numbers
       ORDER BY n
      """;

  private static final String LOAD_SENT =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, headers, created_at, status, attempts,
                      next_attempt_at, sent_at)
      SELECT UUID(), 'bench', CONCAT('key-', n MOD 10000), RPAD(CONCAT(n, ':'), ?, 'x'), '{}',
             UTC_TIMESTAMP(6), 1, 1, ?, ?
        FROM (%s) AS numbers
       ORDER BY n
      """;

  /** The numbers 0 to ? - 1 (bound twice), from the sequence table squared. */
  private static final String NUMBERS =
      """
      SELECT a.i * %2$d + b.i AS n FROM %1$s a CROSS JOIN %1$s b
       WHERE a.i <= ? DIV %2$d AND a.i * %2$d + b.i < ?
      """;

  /** InnoDB's purge backlog: row versions left behind by updates that purge has not removed. */
  private static final String PURGE_BACKLOG =
      "SELECT count FROM information_schema.INNODB_METRICS WHERE name = 'trx_rseg_history_len'";

  /** {@link #settle} waits for the purge backlog to fall below this many transactions. */
  static final long SETTLED_HISTORY = 1_000;

  /** Longest {@link #settle} waits for purge, so a busy server cannot stall the run. */
  static final long SETTLE_MAX_MILLIS = 60_000;

  private final String numbers;
  private final MySqlRawQueue rawQueue;

  private MySqlBench(String jdbcUrl, String database) {
    super(
        jdbcUrl,
        database,
        MySqlBench::quote,
        (config, name) -> config.setTransactionIsolation("TRANSACTION_READ_COMMITTED"));
    this.numbers =
        String.format(
            NUMBERS,
            qualified(database, MySqlBenchSchema.SEQUENCE_TABLE),
            MySqlBenchSchema.SEQUENCE_SIZE);
    this.rawQueue = new MySqlRawQueue(qualified(raw));
  }

  /** Creates the database (dropping an earlier benchmark database of that name) and both tables. */
  static MySqlBench open(String jdbcUrl, String database) throws SQLException {
    MySqlBench bench = new MySqlBench(jdbcUrl, database);
    bench.open(MySqlBenchSchema::create);
    return bench;
  }

  static String quote(String identifier) {
    return '`' + identifier + '`';
  }

  @Override
  public String version() throws SQLException {
    String version = queryString("SELECT CONCAT(VERSION(), ' (', @@version_comment, ')')");
    return (version.contains("MariaDB") ? "MariaDB " : "MySQL ") + version;
  }

  @Override
  public Map<String, String> settings() throws SQLException {
    Map<String, String> settings = new LinkedHashMap<>();
    String marks = String.join(", ", SETTINGS.stream().map(s -> "?").toList());
    try (Connection c = admin.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SHOW GLOBAL VARIABLES WHERE Variable_name IN (" + marks + ")")) {
      for (int i = 0; i < SETTINGS.size(); i++) {
        ps.setString(i + 1, SETTINGS.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          settings.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return settings;
  }

  @Override
  public boolean hasNotifications() {
    return false;
  }

  @Override
  public OutboxDialect dialect(boolean notifications) {
    return new MySqlDialect();
  }

  @Override
  public MinimalQueue minimal() {
    return MinimalQueue.mysql(admin, qualified(outbox.schema(), MinimalQueue.TABLE));
  }

  @Override
  public RawQueue raw() {
    return rawQueue;
  }

  @Override
  public void reset(OutboxTables t) throws SQLException {
    // TRUNCATE also restarts AUTO_INCREMENT.
    execute("TRUNCATE TABLE " + qualified(t));
    execute("TRUNCATE TABLE " + qualified(t.schema(), t.deadLetterTable()));
  }

  @Override
  public void loadPending(OutboxTables t, int n, int keys, int payloadBytes) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps =
            c.prepareStatement(String.format(LOAD_PENDING, qualified(t), numbers))) {
      ps.setInt(1, keys);
      ps.setInt(2, payloadBytes);
      // Due a second ago by the relay's clock, so clock skew cannot hide a row from the first
      // claim.
      ps.setString(3, MySqlRawQueue.DATETIME_6.format(Instant.now().minusSeconds(1)));
      ps.setInt(4, n);
      ps.setInt(5, n);
      ps.executeUpdate();
    }
  }

  @Override
  public void loadSent(OutboxTables t, int n, int payloadBytes) throws SQLException {
    if (n == 0) {
      return;
    }
    try (Connection c = admin.getConnection();
        PreparedStatement ps =
            c.prepareStatement(String.format(LOAD_SENT, qualified(t), numbers))) {
      ps.setInt(1, payloadBytes);
      ps.setString(2, MySqlRawQueue.DATETIME_6.format(Instant.now().minusSeconds(1)));
      ps.setString(3, MySqlRawQueue.DATETIME_6.format(Instant.now()));
      ps.setInt(4, n);
      ps.setInt(5, n);
      ps.executeUpdate();
    }
  }

  /**
   * Updates the statistics, then waits (bounded) until InnoDB's purge has caught up, so neither
   * side inherits the other's delete-marked index entries: MySQL's counterpart of PostgreSQL's
   * VACUUM.
   */
  @Override
  public void settle(OutboxTables t) throws SQLException {
    execute("ANALYZE TABLE " + qualified(t));
    long deadline = System.currentTimeMillis() + SETTLE_MAX_MILLIS;
    while (queryLong(PURGE_BACKLOG) > SETTLED_HISTORY && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for InnoDB purge", e);
      }
    }
  }
}
