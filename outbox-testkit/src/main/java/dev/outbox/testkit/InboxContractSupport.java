package dev.outbox.testkit;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.inbox.Inbox;
import dev.outbox.spi.DedupRing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What the inbox contracts need: one database (fresh schema) per test class with a table the tests'
 * effects insert into, a freshly migrated inbox table per test, and helpers that process a message
 * in a transaction of their own and read rows back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class InboxContractSupport {
  private static final AtomicInteger TABLES = new AtomicInteger();

  /** The window of the tests' inboxes: short, so the tests' clocks move few buckets. */
  protected static final Duration WINDOW = Duration.ofMinutes(1);

  /** How often the concurrency tests repeat their race. */
  protected static final int ROUNDS = 20;

  /** A bucket of {@link #WINDOW} near the current time, from which the tests count buckets. */
  private static final long BASE_BUCKET = DedupRing.bucket(Instant.now(), WINDOW) - 10_000;

  /** The database of this test class, from {@link #openDatabase()}. */
  protected TestDatabase db;

  /** A pool on {@link #db}. */
  protected HikariDataSource dataSource;

  /** This test's inbox table, migrated. */
  protected String table;

  /** A clock at the current time, for the tests that do not move time. */
  protected MutableClock clock;

  /** The database this module tests against: a new schema on a real server. */
  protected abstract TestDatabase openDatabase();

  @BeforeAll
  final void openDb() throws SQLException {
    db = openDatabase();
    dataSource = db.dataSource("inbox-test", 8);
    execute(
        "CREATE TABLE "
            + db.schema()
            + ".inbox_effect (inbox_table varchar(64) NOT NULL, consumer varchar(255) NOT NULL,"
            + " message_id varchar(255) NOT NULL)");
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
    table = "inbox_t" + TABLES.incrementAndGet();
    clock = new MutableClock();
    inbox(WINDOW, clock).migrate();
  }

  /** An inbox builder on this test's table. */
  protected Inbox.Builder inboxBuilder(Duration window, Clock clock) {
    return Inbox.builder(dataSource, db.dialect())
        .table(db.schema(), table)
        .window(window)
        .clock(clock);
  }

  /** An inbox on this test's table. */
  protected Inbox inbox(Duration window, Clock clock) {
    return inboxBuilder(window, clock).build();
  }

  /** The first instant of bucket {@code n} of {@link #WINDOW}, counted from a recent bucket. */
  protected static Instant bucketStart(long n) {
    return DedupRing.start(BASE_BUCKET + n, WINDOW);
  }

  /** {@link Inbox#firstTime} in a transaction of its own, committed. */
  protected boolean firstTime(Inbox inbox, String consumer, String messageId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      boolean first = inbox.firstTime(c, consumer, messageId);
      c.commit();
      return first;
    }
  }

  /**
   * The effect of the tests' messages: a row in {@code inbox_effect}, tagged with this test's
   * table. Returns "applied".
   */
  protected String applyEffect(Connection tx, String consumer, String messageId)
      throws SQLException {
    try (PreparedStatement ps =
        tx.prepareStatement(
            "INSERT INTO "
                + db.schema()
                + ".inbox_effect (inbox_table, consumer, message_id) VALUES (?, ?, ?)")) {
      ps.setString(1, table);
      ps.setString(2, consumer);
      ps.setString(3, messageId);
      ps.executeUpdate();
    }
    return "applied";
  }

  /** How many times this test applied the effect of {@code messageId} for {@code consumer}. */
  protected long effects(String consumer, String messageId) throws SQLException {
    return queryLong(
        "SELECT count(*) FROM "
            + db.schema()
            + ".inbox_effect WHERE inbox_table = ? AND consumer = ? AND message_id = ?",
        table,
        consumer,
        messageId);
  }

  /** The rows of the inbox table for a consumer and a message id. */
  protected long rows(Inbox inbox, String consumer, String messageId) throws SQLException {
    return queryLong(
        "SELECT count(*) FROM " + qualified(inbox) + " WHERE scope = ? AND dedup_key = ?",
        consumer,
        messageId);
  }

  /** The inbox's table, qualified with its schema. */
  protected static String qualified(Inbox inbox) {
    return inbox.table().schema() + "." + inbox.table().table();
  }

  /** A single long from {@code sql} with string parameters. */
  protected long queryLong(String sql, String... params) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** A single long from {@code sql}, read through {@code c}. */
  protected static long queryLong(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Runs {@code sql} in auto-commit mode. */
  protected void execute(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The sum of counter {@code name} for {@code consumer}. */
  protected static long sum(TestTelemetry telemetry, String name, String consumer) {
    return telemetry.metrics().collectAllMetrics().stream()
        .filter(m -> m.getName().equals(name))
        .map(MetricData::getLongSumData)
        .flatMap(d -> d.getPoints().stream())
        .filter(
            p ->
                consumer.equals(
                    p.getAttributes().get(AttributeKey.stringKey(Inbox.CONSUMER_ATTRIBUTE))))
        .mapToLong(LongPointData::getValue)
        .sum();
  }
}
