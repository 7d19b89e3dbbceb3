package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.KeyWalk;
import dev.outbox.testkit.OutboxContractSupport;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The per-key claim against a real server: runs, cursor, messages without a key, cost. */
class MySqlClaimIT extends OutboxContractSupport {

  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }

  @Test
  void oneKeyWithABacklogGivesARunOfAFullBatchInIdOrder() throws Exception {
    enlistMany(250, "t", "k");
    ClaimResult result = claim(100, null, false);
    assertThat(ids(result)).containsExactlyElementsOf(pendingIds("k").subList(0, 100));
    assertThat(result.records()).allSatisfy(r -> assertThat(r.attempt()).isEqualTo(1));
    assertThat(result.keyCursor()).as("the batch filled at the last key visited").isEqualTo("k");
    assertThat(result.more()).isFalse();

    ClaimResult next = claim(100, result.keyCursor(), false);
    assertThat(next.records()).as("the key's oldest messages are leased").isEmpty();
    assertThat(next.keyCursor()).isNull();
  }

  @Test
  void aKeyWhoseOldestMessageIsLeasedYieldsNothingWhileOtherKeysAreClaimed() throws Exception {
    enlistMany(3, "t", "a");
    enlistMany(3, "t", "b");
    ClaimResult head = dialectClaim(ClaimRequest.unordered(1, clock.instant(), token(), lease()));
    assertThat(head.records()).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("a"));

    ClaimResult result = claim(10, null, false);
    assertThat(keys(result)).containsExactly("b", "b", "b");
    assertThat(result.keyCursor()).isNull();
  }

  @Test
  void aKeyWhoseOldestMessageAnotherTransactionHoldsYieldsNothing() throws Exception {
    enlistMany(3, "t", "a");
    enlistMany(3, "t", "b");
    long oldestOfA = pendingIds("a").get(0);
    long middleOfB = pendingIds("b").get(1);
    try (Connection other = dataSource.getConnection()) {
      other.setAutoCommit(false);
      try (Statement s = other.createStatement()) {
        s.executeQuery(
                "SELECT id FROM "
                    + messageTable()
                    + " WHERE id IN ("
                    + oldestOfA
                    + ", "
                    + middleOfB
                    + ") FOR UPDATE")
            .close();
      }
      ClaimResult result = claim(10, null, false);
      assertThat(ids(result))
          .as("a's oldest is held; b's run ends before its held message")
          .containsExactly(pendingIds("b").get(0));
      other.rollback();
    }
  }

  @Test
  void aMessageThatIsNotDueCutsItsKeysRunThere() throws Exception {
    enlistMany(5, "t", "k");
    enlistMany(2, "t", "z");
    List<Long> k = pendingIds("k");
    execute(
        "UPDATE "
            + messageTable()
            + " SET next_attempt_at = '"
            + Sql.utc(clock.instant().plus(Duration.ofMinutes(5)))
            + "' WHERE id = "
            + k.get(2));
    ClaimResult result = claim(10, null, false);
    List<Long> expected = new ArrayList<>(k.subList(0, 2));
    expected.addAll(pendingIds("z"));
    assertThat(ids(result)).containsExactlyElementsOf(expected);
  }

  @Test
  void messagesWithoutAKeyAreClaimedBesideTheRuns() throws Exception {
    enlistMany(3, "t", null);
    enlistMany(3, "t", "k");
    ClaimResult first = claim(4, null, true);
    assertThat(keys(first)).containsExactly(null, null, null, "k");
    assertThat(ids(first)).isSorted();
    execute("DELETE FROM " + messageTable());

    enlistMany(3, "t", null);
    enlistMany(3, "t", "k");
    ClaimResult after = claim(4, null, false);
    assertThat(keys(after)).containsExactly(null, "k", "k", "k");
    execute("DELETE FROM " + messageTable());

    enlistMany(5, "t", null);
    ClaimResult onlyUnkeyed = claim(4, "k", true);
    assertThat(keys(onlyUnkeyed)).hasSize(4).containsOnlyNulls();
    assertThat(onlyUnkeyed.keyCursor()).as("no key had its turn: the cursor stays").isEqualTo("k");
  }

  @Test
  void theCursorMovesRoundTheKeys() throws Exception {
    for (String key : List.of("a", "b", "c")) {
      enlistMany(2, "t", key);
    }
    ClaimResult first = claim(2, null, false);
    assertThat(keys(first)).containsExactly("a", "a");
    assertThat(first.keyCursor()).isEqualTo("a");

    ClaimResult second = claim(2, first.keyCursor(), false);
    assertThat(keys(second)).containsExactly("b", "b");
    assertThat(second.keyCursor()).isEqualTo("b");

    enlistMany(1, "t", "a");
    ClaimResult third = claim(4, second.keyCursor(), false);
    assertThat(keys(third))
        .as("c after the cursor, then round again: a's new message waits behind its leased ones")
        .containsExactly("c", "c");
    assertThat(third.keyCursor()).isNull();
  }

  @Test
  void aWalkThatVisitsItsBoundOfKeysWithoutFillingTheBatchSaysThereIsMore() throws Exception {
    int keys = KeyWalk.maxKeys(1) + 3;
    for (int i = 0; i < keys; i++) {
      enlistMany(1, "t", String.format("k%03d", i));
    }
    execute(
        "UPDATE "
            + messageTable()
            + " SET next_attempt_at = '"
            + Sql.utc(clock.instant().plus(Duration.ofMinutes(5)))
            + "' WHERE msg_key <> '"
            + String.format("k%03d", keys - 1)
            + "'");
    ClaimResult result = claim(1, null, false);
    assertThat(result.records()).isEmpty();
    assertThat(result.more()).isTrue();
    assertThat(result.keyCursor()).isEqualTo(String.format("k%03d", KeyWalk.maxKeys(1) - 1));

    ClaimResult rest = claim(1, result.keyCursor(), false);
    assertThat(keys(rest)).containsExactly(String.format("k%03d", keys - 1));
  }

  @Test
  void sentHistoryIsNotReadByTheClaim() throws Exception {
    enlistMany(1, "t", "k0");
    for (int i = 0; i < 14; i++) { // 16,384 sent rows over ten keys
      execute(
          "INSERT INTO "
              + messageTable()
              + " (message_id, topic, msg_key, payload, headers, created_at, status,"
              + " next_attempt_at)"
              + " SELECT UUID(), topic, CONCAT('k', id % 10), payload, headers, created_at, 1,"
              + " next_attempt_at FROM "
              + messageTable());
    }
    execute("UPDATE " + messageTable() + " SET status = 1");
    for (int i = 0; i < 10; i++) {
      enlistMany(3, "t", "k" + i);
    }
    enlistMany(3, "t", null);
    execute("ANALYZE TABLE " + messageTable());
    assertThat(queryLong("SELECT count(*) FROM " + messageTable() + " WHERE status = 1"))
        .isEqualTo(16_384);

    try (Connection c = dataSource.getConnection()) {
      long overhead = -rowsRead(c) + rowsRead(c); // what reading the counters itself reads
      long before = rowsRead(c);
      ClaimResult result = claimOn(c, null);
      long read = rowsRead(c) - before - overhead;
      assertThat(result.records()).hasSize(33);
      assertThat(read).as("rows read by the claim").isLessThan(1_000);
    }
  }

  @Test
  void aHotKeysBacklogIsNotReadBeyondWhatTheClaimTakes() throws Exception {
    enlistMany(1, "t", "hot");
    for (int i = 0; i < 14; i++) { // 16,384 pending messages of one key
      execute(
          "INSERT INTO "
              + messageTable()
              + " (message_id, topic, msg_key, payload, headers, created_at, next_attempt_at)"
              + " SELECT UUID(), topic, msg_key, payload, headers, created_at, next_attempt_at"
              + " FROM "
              + messageTable());
    }
    for (int i = 0; i < 50; i++) {
      enlistMany(2, "t", "k" + i);
    }
    execute("ANALYZE TABLE " + messageTable());

    try (Connection c = dataSource.getConnection()) {
      long overhead = -rowsRead(c) + rowsRead(c);
      long before = rowsRead(c);
      ClaimResult hot = claimOn(c, null);
      long hotRead = rowsRead(c) - before - overhead;
      assertThat(keys(hot)).hasSize(100).containsOnly("hot");
      assertThat(ids(hot)).containsExactlyElementsOf(pendingIds("hot").subList(0, 100));
      assertThat(hotRead).as("rows read by a claim of the hot key's run").isLessThan(1_500);

      before = rowsRead(c);
      ClaimResult others = claimOn(c, hot.keyCursor());
      long othersRead = rowsRead(c) - before - overhead;
      assertThat(others.records()).hasSize(100).noneMatch(r -> r.key().equals("hot"));
      assertThat(othersRead).as("rows read past the hot key's leased run").isLessThan(1_500);

      before = rowsRead(c);
      ClaimResult round = claimOn(c, others.keyCursor());
      long roundRead = rowsRead(c) - before - overhead;
      assertThat(round.records()).as("every key's oldest message is leased").isEmpty();
      assertThat(roundRead).as("rows read by a claim that finds nothing").isLessThan(1_500);
    }
  }

  /**
   * 16,384 messages scheduled for tomorrow hold the oldest ids; an unordered claim of today's
   * messages reads none of them: pending_idx leads with (status, scheduled).
   */
  @Test
  void anUnorderedClaimReadsPastNoScheduledMessage() throws Exception {
    enlist(OutboxMessage.builder("t").payload("later").delay(Duration.ofDays(1)).build());
    for (int i = 0; i < 14; i++) {
      execute(
          "INSERT INTO "
              + messageTable()
              + " (message_id, topic, msg_key, payload, headers, created_at, next_attempt_at,"
              + " deliver_at, scheduled)"
              + " SELECT UUID(), topic, msg_key, payload, headers, created_at, next_attempt_at,"
              + " deliver_at, scheduled FROM "
              + messageTable());
    }
    enlistMany(100, "t", null);
    execute("ANALYZE TABLE " + messageTable());
    assertThat(queryLong("SELECT count(*) FROM " + messageTable() + " WHERE scheduled = 1"))
        .isEqualTo(16_384);

    try (Connection c = dataSource.getConnection()) {
      long overhead = -rowsRead(c) + rowsRead(c);
      long before = rowsRead(c);
      ClaimResult result =
          dialect.claim(c, tables, ClaimRequest.unordered(100, clock.instant(), token(), lease()));
      long read = rowsRead(c) - before - overhead;
      assertThat(result.records()).hasSize(100);
      assertThat(read).as("rows read by the claim behind the scheduled ones").isLessThan(1_000);
    }
  }

  private static long rowsRead(Connection c) throws SQLException {
    long sum = 0;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Handler_read%'")) {
      while (rs.next()) {
        sum += rs.getLong(2);
      }
    }
    return sum;
  }

  /**
   * A per-key claim of 100 after {@code cursor} on {@code c}, whose row counters the test reads.
   */
  private ClaimResult claimOn(Connection c, String cursor) throws SQLException {
    return dialect.claim(
        c, tables, new ClaimRequest(100, clock.instant(), token(), lease(), true, cursor, false));
  }

  private ClaimResult claim(int batch, String cursor, boolean unkeyedFirst) throws SQLException {
    return dialectClaim(
        new ClaimRequest(batch, clock.instant(), token(), lease(), true, cursor, unkeyedFirst));
  }

  private ClaimResult dialectClaim(ClaimRequest request) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return dialect.claim(c, tables, request);
    }
  }

  private static UUID token() {
    return UUID.randomUUID();
  }

  private Instant lease() {
    return clock.instant().plus(Duration.ofMinutes(1));
  }

  private List<Long> pendingIds(String key) throws SQLException {
    return queryLongs(
        "SELECT id FROM " + messageTable() + " WHERE status = 0 AND msg_key = ? ORDER BY id", key);
  }

  private static List<Long> ids(ClaimResult result) {
    return result.records().stream().map(OutboxRecord::id).toList();
  }

  private static List<String> keys(ClaimResult result) {
    List<String> keys = new ArrayList<>();
    for (OutboxRecord r : result.records()) {
      keys.add(r.key());
    }
    return keys;
  }
}
