package dev.outbox.mysql;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.RelayHeartbeat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * Measures each query of {@link MySqlAdmin} on a message table of 1,000,000 rows (default): mostly
 * sent, the newest 5% pending across 20 topics and 10,000 keys (a tenth waiting for a retry with an
 * error, one in fifty leased), and 10,000 dead letters. Rows are spread over the last ten days in
 * daily partitions, as partition maintenance leaves them (so the pending rows are the last 12
 * hours' and the overview's sent window is 24 hours, to count some). Prints the median of 5 runs of
 * each query, then what the server reports reading ({@code ANALYZE} on MariaDB, {@code EXPLAIN} on
 * MySQL) for the queries that read more than they return.
 *
 * <p>Run it from the repository root (the server found as the tests find it; a scratch database is
 * created and dropped):
 *
 * <pre>
 * mvn -B -q -pl outbox-mysql -am -Padmin-bench -DskipTests verify
 * </pre>
 *
 * <p>Add {@code -Dbench.rows=N} for another size (10,000 to 1,000,000).
 */
public final class AdminQueryHarness {
  private static final int RUNS = 5;
  private static final int DAYS = 10;

  /** Digits 0-9, crossed six times: up to a million row numbers on MySQL and MariaDB alike. */
  private static final String NUMBERS =
      """
      WITH d AS (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3
                 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7
                 UNION ALL SELECT 8 UNION ALL SELECT 9),
           r AS (SELECT a.n + 10 * b.n + 100 * c.n + 1000 * e.n + 10000 * f.n + 100000 * g.n AS i
                   FROM d a, d b, d c, d e, d f, d g)
      """;

  /**
   * Row i: created at start + i steps; topic-(i mod 20); key-(i mod 10000), except every fifth row,
   * which has no key; pending when i is among the newest 5% (every tenth of those waiting with an
   * error, every fiftieth leased), else sent a second after it was created.
   */
  private static final String FILL =
      "INSERT INTO %s (message_id, topic, msg_key, payload, headers, created_at, status, attempts,"
          + " next_attempt_at, last_error, lease_token, lease_until, sent_at) "
          + NUMBERS
          + """
      SELECT UUID(), CONCAT('topic-', i %% 20), IF(i %% 5 = 0, NULL, CONCAT('key-', i %% 10000)),
             REPEAT('x', 64), '{"trace":"abc"}', TIMESTAMPADD(MICROSECOND, i * ?, ?),
             IF(i >= ?, 0, 1), IF(i >= ? AND i %% 10 = 3, 1 + i %% 4, IF(i >= ?, 0, 1)),
             IF(i >= ? AND i %% 10 = 3, ?, TIMESTAMPADD(MICROSECOND, i * ?, ?)),
             IF(i >= ? AND i %% 10 = 3, CONCAT('broker timeout after ', i %% 30, ' s'), NULL),
             IF(i >= ? AND i %% 50 = 1, UUID(), NULL), IF(i >= ? AND i %% 50 = 1, ?, NULL),
             IF(i >= ?, NULL, TIMESTAMPADD(SECOND, 1, TIMESTAMPADD(MICROSECOND, i * ?, ?)))
        FROM r WHERE i >= ? AND i < ?
      """;

  private static final String FILL_DEAD =
      "INSERT INTO %s (original_id, message_id, topic, msg_key, payload, headers, created_at,"
          + " attempts, reason, dead_at, replay_count) "
          + NUMBERS
          + """
      SELECT i + 1, UUID(), CONCAT('topic-', i %% 20), CONCAT('key-', i %% 10000), REPEAT('x', 64),
             '{}', TIMESTAMPADD(SECOND, -i, ?), 10, CONCAT('rejected: code ', i %% 7),
             TIMESTAMPADD(SECOND, -i, ?), i %% 3
        FROM r WHERE i < ?
      """;

  private final HikariDataSource ds;
  private final OutboxTables tables;
  private final long rows;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
  private final boolean mariaDb;
  private final List<String> lines = new ArrayList<>();

  private AdminQueryHarness(HikariDataSource ds, OutboxTables tables, long rows, boolean mariaDb) {
    this.ds = ds;
    this.tables = tables;
    this.rows = rows;
    this.mariaDb = mariaDb;
  }

  /** Fills a scratch database, measures, prints. */
  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("bench.rows", 1_000_000L);
    if (rows < 10_000 || rows > 1_000_000) {
      throw new IllegalArgumentException(
          "bench.rows must be between 10000 and 1000000, was " + rows);
    }
    try (MySqlTestDatabase db = MySqlTestDatabase.create();
        HikariDataSource ds = db.dataSource("admin-bench", 2)) {
      OutboxTables tables = new OutboxTables(db.schema(), "outbox_bench");
      OutboxMigrations.migrate(ds, db.dialect(), tables);
      boolean mariaDb;
      try (Connection c = ds.getConnection()) {
        mariaDb = c.getMetaData().getDatabaseProductVersion().contains("MariaDB");
      }
      new AdminQueryHarness(ds, tables, rows, mariaDb).run();
    }
  }

  private void run() throws Exception {
    long fillStart = System.nanoTime();
    fill();
    long fillMs = (System.nanoTime() - fillStart) / 1_000_000;
    AdminSupport admin = new MySqlDialect().admin();
    String oneKey = "key-42";
    try (Connection c = ds.getConnection()) {
      System.out.printf(
          Locale.ROOT,
          "%s %s; %,d message rows (%,d pending), %,d dead letters, %d partitions (daily);"
              + " filled in %,d ms; median of %d runs%n%n"
              + "| query | median | min | max | returned |%n|---|---|---|---|---|%n",
          c.getMetaData().getDatabaseProductName(),
          c.getMetaData().getDatabaseProductVersion(),
          count(c, "SELECT count(*) FROM " + table()),
          count(c, "SELECT count(*) FROM " + table() + " WHERE status = 0"),
          count(c, "SELECT count(*) FROM " + dead()),
          DAYS + 2,
          fillMs,
          RUNS);
      long middleId =
          count(c, "SELECT id FROM " + table() + " WHERE status = 1 LIMIT 1") + rows / 2;
      UUID someMessageId = UUID.fromString(text(c, middleId));
      Instant hourAgo = now.minus(Duration.ofHours(1));
      Instant dayAgo = now.minus(Duration.ofDays(1));
      for (int r = 0; r < 3; r++) {
        admin.heartbeat(
            c, tables, new RelayHeartbeat(r + 1, "relay-" + r, "host", now, now, now, 100));
      }
      admin.pause(c, tables, "topic-7", "bench", now);

      time("topicCounts (sent window 24 h)", () -> admin.topicCounts(c, tables, now, dayAgo));
      time("attempts", () -> admin.attempts(c, tables));
      time("relays", () -> admin.relays(c, tables, hourAgo));
      time("message(id)", () -> admin.message(c, tables, middleId, now));
      time("messagesById", () -> admin.messagesById(c, tables, someMessageId, now));
      MessageFilter any = MessageFilter.any();
      time("pending, no filter, 100", () -> admin.pending(c, tables, any, 0, 100, now));
      time(
          "pending, topic, 100",
          () -> admin.pending(c, tables, any.withTopic("topic-3"), 0, 100, now));
      time("pending, key", () -> admin.pending(c, tables, any.withKey(oneKey), 0, 100, now));
      time(
          "pending, state WAITING, 100",
          () -> admin.pending(c, tables, any.withState(MessageState.WAITING), 0, 100, now));
      time(
          "pending, errorContains (common), 100",
          () -> admin.pending(c, tables, any.withErrorContaining("timeout"), 0, 100, now));
      time(
          "pending, errorContains (matches none)",
          () -> admin.pending(c, tables, any.withErrorContaining("no such text"), 0, 100, now));
      DeadLetterFilter none = DeadLetterFilter.none();
      time(
          "deadLetters, no filter, 100",
          () -> admin.deadLetters(c, tables, none, Long.MAX_VALUE, 100));
      time(
          "deadLetters, topic, 100",
          () -> admin.deadLetters(c, tables, none.withTopic("topic-3"), Long.MAX_VALUE, 100));
      time(
          "replay dry run, topic",
          () ->
              admin.replay(
                  c, tables, none.withTopic("topic-3"), ReplayPlacement.ORIGINAL, now, true));
      time(
          "purge dry run, reason",
          () -> admin.purge(c, tables, none.withReasonContaining("code 3"), true));
      time("purge dry run, all", () -> admin.purge(c, tables, DeadLetterFilter.all(), true));
      time("keyHead", () -> admin.keyHead(c, tables, oneKey, now));
      time("keyPending (cap 100,000)", () -> admin.keyPending(c, tables, oneKey, 100_000));
      time("keyDeadLetters", () -> admin.keyDeadLetters(c, tables, oneKey));
      time("pausedTopics", () -> admin.pausedTopics(c, tables));
      lines.forEach(System.out::println);

      String at = Sql.utc(now);
      System.out.println();
      System.out.println(
          (mariaDb ? "ANALYZE" : "EXPLAIN")
              + " of the queries that read more than they return"
              + (mariaDb ? " (rows: estimate, r_rows: read per loop):" : ":"));
      explain(
          c, "topicCounts, pending part", positional(MySqlAdmin.TOPIC_PENDING), at, at, at, at, at);
      explain(
          c, "topicCounts, sent part (24 h)", positional(MySqlAdmin.TOPIC_SENT), Sql.utc(dayAgo));
      explain(c, "attempts", positional(MySqlAdmin.ATTEMPTS));
      explain(c, "messagesById", positional(MySqlAdmin.MESSAGES_BY_ID), someMessageId.toString());
      explain(
          c,
          "pending, topic",
          positional(MySqlAdmin.PENDING) + " AND topic = ? ORDER BY id LIMIT ?",
          0L,
          "topic-3",
          100);
      explain(
          c,
          "pending, errorContains (matches none)",
          positional(MySqlAdmin.PENDING) + " AND INSTR(last_error, ?) > 0 ORDER BY id LIMIT ?",
          0L,
          "no such text",
          100);
      explain(
          c,
          "deadLetters, topic",
          positional(MySqlAdmin.DEAD_LETTERS) + " AND topic = ? ORDER BY id DESC LIMIT ?",
          Long.MAX_VALUE,
          "topic-3",
          100);
      explain(
          c,
          "purge dry run, reason",
          positional(MySqlDeadLetterMoves.COUNT_DEAD) + " AND INSTR(reason, ?) > 0",
          "code 3");
      System.out.println();
      System.out.println("For comparison, queries that read what they return:");
      explain(c, "keyHead", positional(MySqlAdmin.KEY_HEAD), oneKey);
      explain(
          c,
          "pending, key",
          positional(MySqlAdmin.PENDING_OF_KEY) + " ORDER BY id LIMIT ?",
          oneKey,
          0L,
          100);
      explain(
          c,
          "pending, no filter",
          positional(MySqlAdmin.PENDING) + " ORDER BY id LIMIT ?",
          0L,
          100);
    }
  }

  /** The admin's statement {@code template} on this table set, with positional parameters. */
  private String positional(String template) {
    return MySqlAdmin.INSTANCE.sql(tables, template).sql();
  }

  @FunctionalInterface
  private interface Query {
    Object run() throws SQLException;
  }

  private void time(String what, Query q) throws SQLException {
    long[] ms = new long[RUNS];
    Object result = null;
    for (int i = 0; i < RUNS; i++) {
      long start = System.nanoTime();
      result = q.run();
      ms[i] = System.nanoTime() - start;
    }
    Arrays.sort(ms);
    lines.add(
        String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s |",
            what,
            millis(ms[RUNS / 2]),
            millis(ms[0]),
            millis(ms[RUNS - 1]),
            describe(result)));
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  private static String describe(Object result) {
    if (result instanceof Collection<?> c) {
      return c.size() + " rows";
    }
    if (result instanceof Map<?, ?> m) {
      return m.size() + " rows";
    }
    if (result instanceof java.util.Optional<?> o) {
      return o.isPresent() ? "1 row" : "0 rows";
    }
    if (result instanceof dev.outbox.admin.Change ch) {
      return "count " + ch.rows();
    }
    return String.valueOf(result);
  }

  private void explain(Connection c, String what, String sql, Object... params)
      throws SQLException {
    System.out.println();
    System.out.println(what + ":");
    try (PreparedStatement ps = c.prepareStatement((mariaDb ? "ANALYZE " : "EXPLAIN ") + sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        List<String> wanted =
            List.of("table", "type", "key", "rows", "r_rows", "filtered", "r_filtered", "Extra");
        while (rs.next()) {
          StringJoiner row = new StringJoiner(", ", "  ", "");
          for (int i = 1; i <= md.getColumnCount(); i++) {
            String name = md.getColumnLabel(i);
            if (wanted.contains(name)) {
              row.add(name + "=" + rs.getString(i));
            }
          }
          System.out.println(row);
        }
      }
    }
  }

  private void fill() throws SQLException {
    Instant start = now.minus(Duration.ofDays(DAYS));
    long stepMicros = Duration.ofDays(DAYS).toNanos() / 1000 / rows;
    long firstPending = rows - rows / 20;
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      StringJoiner parts = new StringJoiner(",\n");
      Instant day = now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(DAYS - 1));
      for (int d = 0; d <= DAYS; d++) { // up to tomorrow: maintenance creates partitions ahead
        parts.add(
            "PARTITION p_"
                + d
                + " VALUES LESS THAN ('"
                + Sql.utc(day.plus(Duration.ofDays(d)))
                + "')");
      }
      parts.add("PARTITION p_max VALUES LESS THAN (MAXVALUE)");
      st.execute("ALTER TABLE " + table() + " REORGANIZE PARTITION p_max INTO (" + parts + ")");
      String fill = String.format(FILL, table());
      long chunk = 100_000;
      for (long from = 0; from < rows; from += chunk) {
        try (PreparedStatement ps = c.prepareStatement(fill)) {
          int i = 1;
          ps.setLong(i++, stepMicros);
          ps.setString(i++, Sql.utc(start));
          ps.setLong(i++, firstPending); // status
          ps.setLong(i++, firstPending); // attempts of waiting rows
          ps.setLong(i++, firstPending); // attempts of the others
          ps.setLong(i++, firstPending); // next_attempt_at: waiting
          ps.setString(i++, Sql.utc(now.plus(Duration.ofMinutes(10))));
          ps.setLong(i++, stepMicros);
          ps.setString(i++, Sql.utc(start));
          ps.setLong(i++, firstPending); // last_error
          ps.setLong(i++, firstPending); // lease_token
          ps.setLong(i++, firstPending); // lease_until
          ps.setString(i++, Sql.utc(now.plus(Duration.ofMinutes(5))));
          ps.setLong(i++, firstPending); // sent_at
          ps.setLong(i++, stepMicros);
          ps.setString(i++, Sql.utc(start));
          ps.setLong(i++, from);
          ps.setLong(i, Math.min(rows, from + chunk));
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement(String.format(FILL_DEAD, dead()))) {
        ps.setString(1, Sql.utc(now));
        ps.setString(2, Sql.utc(now));
        ps.setLong(3, 10_000);
        ps.executeUpdate();
      }
      st.execute("ANALYZE TABLE " + table() + ", " + dead());
    }
  }

  private String table() {
    return Sql.qualified(tables, tables.table());
  }

  private String dead() {
    return Sql.qualified(tables, tables.deadLetterTable());
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String text(Connection c, long id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT message_id FROM " + table() + " WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}
