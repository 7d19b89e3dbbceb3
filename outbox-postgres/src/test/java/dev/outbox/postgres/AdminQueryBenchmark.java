package dev.outbox.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionInterval;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.spi.AdminSupport;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import java.util.Optional;
import java.util.UUID;

/**
 * Measures each {@link AdminSupport} query of {@link PostgresAdmin} on a message table of 1,000,000
 * rows: fills a scratch schema (ten daily partitions; 95% sent, 5% pending across 20 topics and
 * 10,000 keys, some waiting for a retry and some leased; 10,000 dead letters), then prints each
 * query's median time of 5 runs and the rows it returned, and the {@code EXPLAIN (ANALYZE,
 * BUFFERS)} of the queries that read more than they return.
 *
 * <p>Run it from the repository root (PostgreSQL found as the tests find it):
 *
 * <pre>
 * mvn -B -q -pl outbox-postgres -am -Padmin-bench -DskipTests test
 * </pre>
 *
 * <p>Add {@code -Dbench.rows=N} for another size (default 1,000,000; the pending share, 1 in 20,
 * stays); the schema is dropped at the end.
 */
public final class AdminQueryBenchmark {
  private static final int RUNS = 5;
  private static final int TOPICS = 20;
  private static final int KEYS = 10_000;
  private static final int DEAD = 10_000;

  /**
   * Rows in id order, created one step apart over the last ten days. Every 20th is pending: of
   * those, every 10th waits for a retry with an error (every 1,000th with a rare one), every 25th
   * is leased. Every 11th has no key; a key belongs to one topic and has a pending message every
   * 200,000 rows.
   */
  private static final String FILL =
      """
      INSERT INTO %s (message_id, topic, msg_key, payload, created_at, status, attempts,
                      next_attempt_at, last_error, lease_token, lease_until, sent_at)
      SELECT gen_random_uuid(),
             'topic-' || ((i / 20) %% 20),
             CASE WHEN i %% 11 = 0 THEN NULL ELSE 'key-' || ((i / 20) %% 10000) END,
             convert_to(repeat(md5(i::text), 6), 'UTF8'),
             ?::timestamptz + i * (? * interval '1 microsecond'),
             CASE WHEN i %% 20 = 0 THEN 0 ELSE 1 END,
             CASE WHEN i %% 200 = 0 THEN 3 ELSE 1 END,
             CASE WHEN i %% 200 = 0 THEN ?::timestamptz + interval '1 hour'
                  ELSE ?::timestamptz - interval '1 minute' END,
             CASE WHEN i %% 20000 = 0 THEN 'rare: certificate expired'
                  WHEN i %% 200 = 0 THEN 'timeout talking to broker' END,
             CASE WHEN i %% 500 = 20 THEN gen_random_uuid() END,
             CASE WHEN i %% 500 = 20 THEN ?::timestamptz + interval '30 seconds' END,
             CASE WHEN i %% 20 = 0 THEN NULL
                  ELSE ?::timestamptz + i * (? * interval '1 microsecond') + interval '1 second'
             END
        FROM generate_series(1, ?) AS i
      """;

  private static final String FILL_DEAD =
      """
      INSERT INTO %s (original_id, message_id, topic, msg_key, payload, created_at, attempts,
                      reason, dead_at, replay_count)
      SELECT i, gen_random_uuid(), 'topic-' || (i %% 20), 'key-' || (i %% 10000),
             convert_to(repeat(md5(i::text), 6), 'UTF8'),
             ?::timestamptz + i * interval '1 minute', 10, 'error ' || (i %% 7),
             ?::timestamptz + i * interval '1 minute' + interval '1 hour', 0
        FROM generate_series(1, ?) AS i
      """;

  private AdminQueryBenchmark() {}

  /** Fills the schema, measures and prints. */
  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("bench.rows", 1_000_000L);
    try (PostgresTestDatabase db = PostgresTestDatabase.create();
        HikariDataSource ds = db.dataSource("admin-bench", 2)) {
      new Run(new OutboxTables(db.schema(), "bench_outbox"), ds, rows).measure();
    }
  }

  /** One query to time: returns how many rows (or the count) it produced. */
  @FunctionalInterface
  private interface Query {
    long run(Connection c) throws SQLException;
  }

  private record Run(OutboxTables tables, HikariDataSource ds, long rows) {

    void measure() throws SQLException {
      OutboxMigrations.migrate(ds, new PostgresDialect(), tables);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
      fill(now);
      AdminSupport admin = PostgresAdmin.INSTANCE;
      String table = PostgresDialect.qualified(tables, tables.table());
      long midId = scalar("SELECT id FROM " + table + " WHERE id = " + (rows / 2));
      UUID midMessage =
          UUID.fromString(
              string("SELECT message_id::text FROM " + table + " WHERE id = " + (rows / 2)));
      String busyKey = "key-42";
      Instant hourAgo = now.minus(Duration.ofHours(1));

      List<Object[]> results = new ArrayList<>();
      Map<String, Query> queries = new java.util.LinkedHashMap<>();
      queries.put(
          "topicCounts (sent window 1 h)", c -> size(admin.topicCounts(c, tables, now, hourAgo)));
      queries.put("attempts", c -> admin.attempts(c, tables).size());
      queries.put("relays", c -> size(admin.relays(c, tables, now.minusSeconds(60))));
      queries.put("message(id)", c -> size(admin.message(c, tables, midId, now)));
      queries.put("messagesById", c -> size(admin.messagesById(c, tables, midMessage, now)));
      queries.put(
          "pending, no filter",
          c -> size(admin.pending(c, tables, MessageFilter.any(), 0, 100, now)));
      queries.put(
          "pending, topic",
          c ->
              size(
                  admin.pending(c, tables, MessageFilter.any().withTopic("topic-3"), 0, 100, now)));
      queries.put(
          "pending, key",
          c -> size(admin.pending(c, tables, MessageFilter.any().withKey(busyKey), 0, 100, now)));
      queries.put(
          "pending, state WAITING",
          c ->
              size(
                  admin.pending(
                      c,
                      tables,
                      MessageFilter.any().withState(MessageState.WAITING),
                      0,
                      100,
                      now)));
      queries.put(
          "pending, errorContains (rare)",
          c ->
              size(
                  admin.pending(
                      c,
                      tables,
                      MessageFilter.any().withErrorContaining("certificate"),
                      0,
                      100,
                      now)));
      queries.put(
          "deadLetters, no filter",
          c -> size(admin.deadLetters(c, tables, DeadLetterFilter.none(), Long.MAX_VALUE, 100)));
      queries.put(
          "deadLetters, topic",
          c ->
              size(
                  admin.deadLetters(
                      c,
                      tables,
                      DeadLetterFilter.none().withTopic("topic-3"),
                      Long.MAX_VALUE,
                      100)));
      queries.put(
          "replay dry run, topic",
          c ->
              admin
                  .replay(
                      c,
                      tables,
                      DeadLetterFilter.none().withTopic("topic-3"),
                      dev.outbox.admin.ReplayPlacement.ORIGINAL,
                      now,
                      true)
                  .rows());
      queries.put(
          "purge dry run, reason",
          c ->
              admin
                  .purge(c, tables, DeadLetterFilter.none().withReasonContaining("error 3"), true)
                  .rows());
      queries.put("keyHead", c -> size(admin.keyHead(c, tables, busyKey, now)));
      queries.put("keyPending (cap 100,000)", c -> admin.keyPending(c, tables, busyKey, 100_000));
      queries.put("pausedTopics", c -> admin.pausedTopics(c, tables).size());

      try (Connection c = ds.getConnection()) {
        for (Map.Entry<String, Query> q : queries.entrySet()) {
          long[] nanos = new long[RUNS];
          long returned = 0;
          for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            returned = q.getValue().run(c);
            nanos[i] = System.nanoTime() - start;
          }
          Arrays.sort(nanos);
          results.add(new Object[] {q.getKey(), returned, nanos[RUNS / 2] / 1e6});
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%nAdminSupport on PostgreSQL: %,d message rows (%,d pending), %,d dead letters;"
              + " median of %d runs%n",
          rows,
          scalar("SELECT count(*) FROM " + table + " WHERE status = 0"),
          DEAD,
          RUNS);
      System.out.printf(Locale.ROOT, "| %-32s | %8s | %10s |%n", "query", "returned", "median ms");
      System.out.printf(
          Locale.ROOT, "|%s|%s|%s|%n", "-".repeat(34), "-".repeat(10), "-".repeat(12));
      for (Object[] r : results) {
        System.out.printf(Locale.ROOT, "| %-32s | %8d | %10.2f |%n", r[0], r[1], r[2]);
      }
      explain(
          queries,
          "topicCounts (sent window 1 h)",
          "attempts",
          "messagesById",
          "pending, no filter",
          "pending, topic",
          "pending, state WAITING",
          "pending, errorContains (rare)",
          "deadLetters, topic",
          "replay dry run, topic",
          "purge dry run, reason");
    }

    /** Runs each named query once through a connection that records its statement, explained. */
    private void explain(Map<String, Query> queries, String... names) throws SQLException {
      for (String name : names) {
        try (Connection real = ds.getConnection()) {
          Recorder recorder = new Recorder(real);
          queries.get(name).run(recorder.connection());
          System.out.printf(Locale.ROOT, "%n-- EXPLAIN (ANALYZE, BUFFERS) %s%n", name);
          try (PreparedStatement ps =
              real.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + recorder.sql)) {
            for (Object[] set : recorder.binds) {
              try {
                ((Method) set[0]).invoke(ps, (Object[]) set[1]);
              } catch (IllegalAccessException | InvocationTargetException e) {
                throw new SQLException("could not bind " + Arrays.toString((Object[]) set[1]), e);
              }
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                System.out.println(rs.getString(1));
              }
            }
          }
        }
      }
    }

    private void fill(Instant now) throws SQLException {
      Instant start = now.minus(Duration.ofDays(10));
      long stepMicros = Duration.ofDays(10).toNanos() / 1000 / rows;
      try (Connection c = ds.getConnection()) {
        Instant day = PartitionInterval.DAILY.start(start);
        while (day.isBefore(now.plus(Duration.ofDays(1)))) {
          Instant next = day.plus(Duration.ofDays(1));
          PostgresPartitionDdl.createTable(
              c,
              tables,
              PostgresDialect.qualified(
                  tables, tables.table() + "_p" + day.toString().substring(0, 10).replace("-", "")),
              day,
              next);
          day = next;
        }
        System.out.printf(
            Locale.ROOT, "filling %,d message rows and %,d dead letters...%n", rows, DEAD);
        long t0 = System.nanoTime();
        try (PreparedStatement ps =
            c.prepareStatement(
                String.format(FILL, PostgresDialect.qualified(tables, tables.table())))) {
          ps.setObject(1, PostgresDialect.utc(start));
          ps.setLong(2, stepMicros);
          ps.setObject(3, PostgresDialect.utc(now));
          ps.setObject(4, PostgresDialect.utc(now));
          ps.setObject(5, PostgresDialect.utc(now));
          ps.setObject(6, PostgresDialect.utc(start));
          ps.setLong(7, stepMicros);
          ps.setLong(8, rows);
          ps.executeUpdate();
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                String.format(
                    FILL_DEAD, PostgresDialect.qualified(tables, tables.deadLetterTable())))) {
          ps.setObject(1, PostgresDialect.utc(start));
          ps.setObject(2, PostgresDialect.utc(start));
          ps.setInt(3, DEAD);
          ps.executeUpdate();
        }
        String relay = PostgresDialect.qualified(tables, tables.relayTable());
        try (Statement s = c.createStatement()) {
          s.execute(
              "INSERT INTO "
                  + relay
                  + " SELECT i, 'relay-' || i, 'host', now(), now(), now(), 10"
                  + " FROM generate_series(1, 3) i");
          s.execute("VACUUM ANALYZE " + PostgresDialect.qualified(tables, tables.table()));
          s.execute(
              "VACUUM ANALYZE " + PostgresDialect.qualified(tables, tables.deadLetterTable()));
        }
        System.out.printf(Locale.ROOT, "filled in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      }
    }

    private long scalar(String sql) throws SQLException {
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }

    private String string(String sql) throws SQLException {
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static long size(Collection<?> c) {
    return c.size();
  }

  private static long size(Optional<?> o) {
    return o.isPresent() ? 1 : 0;
  }

  /**
   * A connection that passes everything to a real one and remembers the last statement prepared on
   * it with the values bound to it, so that the benchmark can run it again under EXPLAIN.
   */
  private static final class Recorder {
    private final Connection real;
    String sql;
    final List<Object[]> binds = new ArrayList<>();

    Recorder(Connection real) {
      this.real = real;
    }

    Connection connection() {
      InvocationHandler onConnection =
          (proxy, method, args) -> {
            Object result = invoke(real, method, args);
            if (method.getName().equals("prepareStatement") && args != null && args.length == 1) {
              sql = (String) args[0];
              binds.clear();
              PreparedStatement ps = (PreparedStatement) result;
              return Proxy.newProxyInstance(
                  PreparedStatement.class.getClassLoader(),
                  new Class<?>[] {PreparedStatement.class},
                  (p, m, a) -> {
                    if (m.getName().startsWith("set") && a != null && a.length >= 2) {
                      binds.add(new Object[] {m, a});
                    }
                    return invoke(ps, m, a);
                  });
            }
            return result;
          };
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, onConnection);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
