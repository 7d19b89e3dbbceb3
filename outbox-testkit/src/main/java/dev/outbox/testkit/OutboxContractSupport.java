package dev.outbox.testkit;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Sender;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What every contract needs: one database (fresh schema) per test class, a freshly migrated outbox
 * table per test, a clock the test moves, and helpers to enlist messages and read rows back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OutboxContractSupport {
  private static final AtomicInteger TABLES = new AtomicInteger();

  /** The database of this test class, from {@link #openDatabase()}. */
  protected TestDatabase db;

  /** A pool on {@link #db}, closed after the test class. */
  protected HikariDataSource dataSource;

  /** The dialect under test, from {@link TestDatabase#dialect()}. */
  protected OutboxDialect dialect;

  /** A fresh, migrated table set for each test. */
  protected OutboxTables tables;

  /** The clock of each test's producer and relays; starts at the current time. */
  protected MutableClock clock;

  /** A producer on {@link #tables}, built fresh for each test. */
  protected JdbcOutbox outbox;

  private final List<AutoCloseable> toClose = Collections.synchronizedList(new ArrayList<>());

  /** The database this module tests against: a new schema on a real server. */
  protected abstract TestDatabase openDatabase();

  @BeforeAll
  final void openDb() {
    db = openDatabase();
    dialect = db.dialect();
    dataSource = db.dataSource("outbox-test", 8);
  }

  @AfterAll
  final void closeDb() {
    if (dataSource != null) {
      dataSource.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  final void freshTable() {
    tables = new OutboxTables(db.schema(), "outbox_t" + TABLES.incrementAndGet());
    OutboxMigrations.migrate(dataSource, dialect, tables);
    clock = new MutableClock();
    outbox = outboxBuilder().build();
  }

  @AfterEach
  final void closeEverything() throws Exception {
    List<AutoCloseable> all;
    synchronized (toClose) {
      all = new ArrayList<>(toClose);
      toClose.clear();
    }
    Collections.reverse(all);
    for (AutoCloseable c : all) {
      c.close();
    }
  }

  /** Closes {@code c} after the test, before the database. */
  protected <C extends AutoCloseable> C closeAfterTest(C c) {
    toClose.add(c);
    return c;
  }

  /** An outbox builder for this test's table and clock. */
  protected JdbcOutbox.Builder outboxBuilder() {
    return JdbcOutbox.builder(dialect).tables(tables).clock(clock);
  }

  /**
   * A relay builder for this test's table and clock, with a short poll interval; the relay is
   * closed after the test.
   */
  protected OutboxRelay.Builder relayBuilder(Sender sender) {
    return OutboxRelay.builder(dataSource, dialect, sender)
        .tables(tables)
        .clock(clock)
        .pollInterval(Duration.ofMillis(50))
        .shutdownTimeout(Duration.ofSeconds(10));
  }

  /** Builds a relay with {@link #relayBuilder} defaults and closes it after the test. */
  protected OutboxRelay relay(Sender sender) {
    return closeAfterTest(relayBuilder(sender).build());
  }

  /** Runs {@code relay}'s cycles on the calling thread until one claims nothing. */
  protected static void drain(OutboxRelay relay) {
    while (relay.runOnce() > 0) {
      // until a claim finds nothing due
    }
  }

  /**
   * Starts a cycle of the relay {@code builder} makes (lease 30 s, send timeout 20 s), whose sender
   * {@code slow} holds its batch, and moves the clock past the lease, so that another relay may
   * claim the batch; the cycle ends, acknowledging late, once {@code slow} is released.
   */
  protected CompletableFuture<Integer> cycleOutlivingItsLease(
      OutboxRelay.Builder builder, BlockingSender slow) throws InterruptedException {
    OutboxRelay relay =
        closeAfterTest(
            builder
                .leaseDuration(Duration.ofSeconds(30))
                .sendTimeout(Duration.ofSeconds(20))
                .build());
    CompletableFuture<Integer> cycle = CompletableFuture.supplyAsync(relay::runOnce);
    slow.awaitBatch(Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(31));
    return cycle;
  }

  /** Enlists {@code messages} in one committed transaction; returns their message ids. */
  protected List<UUID> enlist(OutboxMessage... messages) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<UUID> ids = outbox.addAll(c, List.of(messages));
      c.commit();
      return ids;
    }
  }

  /** Enlists {@code n} messages {@code topic}/{@code prefix-i} with the given key, committed. */
  protected List<UUID> enlistMany(int n, String topic, String key) throws SQLException {
    List<OutboxMessage> messages = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      messages.add(OutboxMessage.of(topic, key, "m-" + i));
    }
    return enlist(messages.toArray(OutboxMessage[]::new));
  }

  /**
   * Enlists {@code n} messages, topic {@code t}, keys {@code k-<i mod keys>}, in one committed
   * transaction; returns their message ids with their keys, in commit order.
   */
  protected LinkedHashMap<UUID, String> enlistKeyed(int n, int keys) throws SQLException {
    List<OutboxMessage> messages = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      messages.add(OutboxMessage.of("t", "k-" + (i % keys), "m-" + i));
    }
    List<UUID> ids = enlist(messages.toArray(OutboxMessage[]::new));
    LinkedHashMap<UUID, String> committed = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      committed.put(ids.get(i), messages.get(i).key());
    }
    return committed;
  }

  /**
   * Prints this database's {@link FaultFigures} line for {@code scenario} and returns the figures.
   */
  protected FaultFigures faults(
      String scenario, LinkedHashMap<UUID, String> committed, List<UUID> handed) {
    return FaultFigures.print(dialect.name() + " " + scenario, committed, handed);
  }

  /** The message ids of {@code records}, in order. */
  protected static List<UUID> messageIds(List<OutboxRecord> records) {
    return records.stream().map(OutboxRecord::messageId).toList();
  }

  /**
   * Enlists {@code perKey} messages for each of {@code keys} keys ({@code key-<k>}, topic {@code
   * ordered}, payload the sequence number within the key), interleaved, in 10 commits.
   */
  protected void enlistInterleaved(int keys, int perKey) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      int commits = Math.min(10, perKey);
      for (int seq = 0; seq < perKey; seq++) {
        List<OutboxMessage> round = new ArrayList<>(keys);
        for (int k = 0; k < keys; k++) {
          round.add(OutboxMessage.of("ordered", "key-" + k, Integer.toString(seq)));
        }
        outbox.addAll(c, round);
        if ((seq + 1) % (perKey / commits) == 0) {
          c.commit();
        }
      }
      c.commit();
    }
  }

  /** The message table, qualified, as plain (unquoted) SQL: test table names are lower case. */
  protected String messageTable() {
    return tables.schema() + "." + tables.table();
  }

  /** The dead-letter table, qualified. */
  protected String deadTable() {
    return tables.schema() + "." + tables.deadLetterTable();
  }

  /** A single long from a query. */
  protected long queryLong(String sql, Object... params) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The first column of every row of a query, as longs, in the query's order. */
  protected List<Long> queryLongs(String sql, Object... params) throws SQLException {
    List<Long> values = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          values.add(rs.getLong(1));
        }
      }
    }
    return values;
  }

  /** The first column of a query's first row, as text; null when there is no row. */
  protected String queryString(String sql, Object... params) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Runs one statement on a pooled connection. */
  protected void execute(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
  }

  /** Rows in the message table. */
  protected long messageRows() throws SQLException {
    return queryLong("SELECT count(*) FROM " + messageTable());
  }

  /** Rows with {@code status}: 0 pending, 1 sent. */
  protected long rowsWithStatus(int status) throws SQLException {
    return queryLong("SELECT count(*) FROM " + messageTable() + " WHERE status = ?", status);
  }

  /** Rows under a lease: claimed and not acknowledged yet. */
  protected long leasedRows() throws SQLException {
    return queryLong("SELECT count(*) FROM " + messageTable() + " WHERE lease_token IS NOT NULL");
  }

  /** Rows in the dead-letter table. */
  protected long deadRows() throws SQLException {
    return queryLong("SELECT count(*) FROM " + deadTable());
  }

  /** {@link #messageRows()} etc. for use in Awaitility conditions. */
  protected long unchecked(SqlLong query) {
    try {
      return query.get();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A query returning a long. */
  @FunctionalInterface
  protected interface SqlLong {
    /** Runs the query. */
    long get() throws SQLException;
  }
}
