package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.Backoff;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.testkit.MutableClock;
import dev.outbox.testkit.OutboxContractSupport;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What the MySQL tables hold: UTC times with microseconds, partitions, and how they are read. */
class MySqlStorageIT extends OutboxContractSupport {

  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }

  @Test
  void createdAtIsTheDatabaseClockInUtcWhateverTheSessionTimeZone() throws Exception {
    assertThat(queryString("SELECT @@session.time_zone"))
        .as("the test sessions are not in UTC")
        .isEqualTo(MySqlTestDatabase.SESSION_TIME_ZONE);
    Instant before = Instant.now();
    enlist(OutboxMessage.of("t", "k", "x"));
    Instant after = Instant.now();

    RecordingSender sender = new RecordingSender();
    relay(sender).runOnce();
    Instant createdAt = sender.received().get(0).createdAt();
    // A time-zone mistake is off by hours; the margin only absorbs clock differences.
    assertThat(createdAt).isBetween(before.minusSeconds(120), after.plusSeconds(120));

    String stored = "SELECT CAST(created_at AS CHAR) FROM " + messageTable();
    assertThat(queryString(stored))
        .as("another session time zone reads the same value")
        .isEqualTo(queryInSessionZone("-10:00", stored))
        .isEqualTo(Sql.utc(createdAt));
  }

  @Test
  void timesFromTheRelayClockAreStoredAsUtcWallClockWithMicroseconds() throws Exception {
    clock = new MutableClock(Instant.parse("2031-05-06T07:08:09.123456Z"));
    outbox = outboxBuilder().build();
    enlist(OutboxMessage.of("t", "k", "x"));
    assertThat(queryString("SELECT CAST(next_attempt_at AS CHAR) FROM " + messageTable()))
        .isEqualTo("2031-05-06 07:08:09.123456");

    RecordingSender sender =
        new RecordingSender().answering(r -> Outcome.retry(r, new IllegalStateException("nacked")));
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(sender)
                .backoff(Backoff.fixed(Duration.ofMillis(1500).plusNanos(250_000)))
                .build());
    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(queryString("SELECT CAST(next_attempt_at AS CHAR) FROM " + messageTable()))
        .isEqualTo("2031-05-06 07:08:10.623706");

    clock.advance(Duration.ofMillis(1500).plusNanos(249_000));
    assertThat(relay.runOnce()).as("one microsecond before it is due").isZero();
    clock.advance(Duration.ofNanos(1_000));
    assertThat(relay.runOnce()).as("due to the microsecond").isEqualTo(1);
  }

  @Test
  void messageTableIsRangePartitionedOnCreatedAtWithAMaxvalueCatchAll() throws Exception {
    List<String> partitions = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT partition_name, partition_method, partition_expression,"
                    + " partition_description FROM information_schema.partitions"
                    + " WHERE table_schema = ? AND table_name = ?")) {
      ps.setString(1, tables.schema());
      ps.setString(2, tables.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          // MySQL and MariaDB agree on these, except that one may quote the column name.
          String row =
              String.join(" ", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
          partitions.add(row.replace("`", ""));
        }
      }
    }
    assertThat(partitions).containsExactly("p_max RANGE COLUMNS created_at MAXVALUE");

    enlistMany(3, "t", "k");
    assertThat(queryLong("SELECT count(*) FROM " + messageTable() + " PARTITION (p_max)"))
        .isEqualTo(3);
    assertThat(
            queryString(
                "SELECT GROUP_CONCAT(column_name ORDER BY seq_in_index)"
                    + " FROM information_schema.statistics WHERE table_schema = '"
                    + tables.schema()
                    + "' AND table_name = '"
                    + tables.table()
                    + "' AND index_name = 'PRIMARY'"))
        .isEqualTo("id,created_at");
  }

  @Test
  void claimReadsThePendingIndexesInOrderWithoutSorting() throws Exception {
    enlistMany(300, "t", null);
    for (int k = 0; k < 30; k++) {
      enlistMany(10, "t", "k" + k);
    }
    execute("UPDATE " + messageTable() + " SET status = 1 WHERE id % 3 <> 0");
    execute("ANALYZE TABLE " + messageTable());
    String now = Sql.utc(clock.instant());

    List<String[]> unordered = explain(MySqlClaim.lockDueSql(messageTable()), 0L, now, now, 100);
    assertThat(unordered)
        .singleElement()
        .satisfies(row -> assertThat(row[0]).isEqualTo("pending_idx"));

    List<String[]> unkeyed = explain(MySqlClaim.lockUnkeyedSql(messageTable()), now, now, 100);
    assertThat(unkeyed)
        .singleElement()
        .satisfies(row -> assertThat(row[0]).isEqualTo("pending_key_run_idx"));

    List<String[]> walk = explain(MySqlClaim.rangeSql(messageTable(), true), now, now, "k1", 216);
    assertThat(walk)
        .as("the walk reads the keys' pending rows as one range of the index")
        .singleElement()
        .satisfies(row -> assertThat(row[0]).isEqualTo("pending_key_run_idx"));

    List<String[]> runs = explain(MySqlClaim.runSql(messageTable()), now, now, "k1", 0L, 10);
    assertThat(runs)
        .singleElement()
        .satisfies(row -> assertThat(row[0]).isEqualTo("pending_key_run_idx"));

    for (List<String[]> plan : List.of(unordered, unkeyed, walk, runs)) {
      assertThat(plan).allSatisfy(row -> assertThat(row[1]).doesNotContain("filesort"));
    }
  }

  /** The (key, Extra) of each row of the plan of {@code sql} with {@code params}. */
  private List<String[]> explain(String sql, Object... params) throws SQLException {
    List<String[]> plan = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getString("table") != null && rs.getString("table").startsWith("<union")) {
            continue;
          }
          plan.add(new String[] {String.valueOf(rs.getString("key")), extra(rs)});
        }
      }
    }
    return plan;
  }

  @Test
  void enlistBiggerThanOneServerPacketIsSplitIntoStatementsOfOneTransaction() throws Exception {
    int payload = 1024 * 1024;
    long packet = queryLong("SELECT @@max_allowed_packet");
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < packet / payload + 4; i++) {
      messages.add(OutboxMessage.builder("big").key("k").payload(new byte[payload]).build());
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      outbox.addAll(c, messages);
      c.rollback();
    }
    assertThat(messageRows()).as("a rollback takes back every statement").isZero();

    List<UUID> ids;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      ids = outbox.addAll(c, messages);
      c.commit();
    }
    List<String> stored = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT message_id, length(payload) FROM " + messageTable() + " ORDER BY id")) {
      while (rs.next()) {
        assertThat(rs.getLong(2)).isEqualTo(payload);
        stored.add(rs.getString(1));
      }
    }
    assertThat(stored).containsExactlyElementsOf(ids.stream().map(UUID::toString).toList());
  }

  @Test
  void textOutsideTheBasicMultilingualPlaneSurvivesInTopicKeyAndHeaders() throws Exception {
    String grin = "\uD83D\uDE00"; // four bytes in UTF-8: needs utf8mb4, not MySQL's old utf8
    enlist(
        OutboxMessage.builder("orders-" + grin)
            .key("key-" + grin)
            .payload("x")
            .header("h-" + grin, "v-" + grin)
            .build());
    RecordingSender sender = new RecordingSender();
    relay(sender).runOnce();
    OutboxRecord r = sender.received().get(0);
    assertThat(r.topic()).isEqualTo("orders-" + grin);
    assertThat(r.key()).isEqualTo("key-" + grin);
    assertThat(r.headers()).containsEntry("h-" + grin, "v-" + grin);
  }

  private static String extra(ResultSet rs) throws SQLException {
    String extra = rs.getString("Extra");
    return extra == null ? "" : extra;
  }

  private String queryInSessionZone(String zone, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET time_zone = '" + zone + "'");
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getString(1);
      } finally {
        s.execute("SET time_zone = '" + MySqlTestDatabase.SESSION_TIME_ZONE + "'");
      }
    }
  }
}
