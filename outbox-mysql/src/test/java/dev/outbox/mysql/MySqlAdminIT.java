package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.Ordering;
import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.KeyDiagnosis;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.Overview;
import dev.outbox.admin.Page;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.admin.TopicCounts;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.RelayHeartbeat;
import dev.outbox.testkit.OutboxContractSupport;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The admin operations of the MySQL dialect against a real server. */
class MySqlAdminIT extends OutboxContractSupport {

  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }

  private OutboxAdmin admin() {
    return OutboxAdmin.builder(dataSource, dialect).tables(tables).clock(clock).build();
  }

  // ---- overview ----

  @Test
  void overviewCountsEachTopicByStateAndPendingMessagesByAttempts() throws Exception {
    enlist(OutboxMessage.of("c", null, "dies"));
    OutboxRelay killer = relay(new RecordingSender().answering(r -> Outcome.dead(r, "bad")));
    assertThat(killer.runOnce()).isEqualTo(1);
    enlistMany(3, "a", null);
    enlistMany(2, "b", null);
    enlist(OutboxMessage.of("s", null, "sent"));
    claimUnordered(1, Set.of()); // leases a's oldest
    List<Long> b = ids("b");
    setColumn("next_attempt_at", "'" + Sql.utc(clock.instant().plusSeconds(300)) + "'", b.get(1));
    execute(
        "UPDATE "
            + messageTable()
            + " SET status = 1, sent_at = UTC_TIMESTAMP(6) WHERE topic = 's'");

    Overview o = admin().overview();

    assertThat(o.pending()).isEqualTo(5);
    assertThat(o.deadLetters()).isEqualTo(1);
    assertThat(o.topics())
        .containsExactly(
            new TopicCounts("a", 2, 1, 0, 0, 0, false),
            new TopicCounts("b", 1, 0, 1, 0, 0, false),
            new TopicCounts("c", 0, 0, 0, 1, 0, false),
            new TopicCounts("s", 0, 0, 0, 0, 1, false));
    assertThat(o.attempts()).isEqualTo(Map.of(0, 4L, 1, 1L));

    clock.advance(Duration.ofMinutes(2)); // a's lease and b's wait are over
    assertThat(admin().overview().topics())
        .first()
        .isEqualTo(new TopicCounts("a", 3, 0, 0, 0, 0, false));
  }

  // ---- pending messages ----

  @Test
  void pendingListsByEachFilterInIdOrderPageByPage() throws Exception {
    enlistMany(5, "a", "k1");
    enlistMany(3, "b", "k2");
    List<Long> all = new ArrayList<>(ids("a"));
    all.addAll(ids("b"));
    Instant later = clock.instant().plusSeconds(300);
    for (long id : List.of(all.get(1), all.get(6))) {
      setColumn("next_attempt_at", "'" + Sql.utc(later) + "'", id);
      setColumn("last_error", "'Broker said NO to 50%'", id);
    }
    OutboxAdmin admin = admin();

    List<Long> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Page<MessageView> page = admin.pending(MessageFilter.any(), cursor, 3);
      page.items().forEach(m -> paged.add(m.id()));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);
    assertThat(paged).as("every pending message once, in id order").isEqualTo(all);
    assertThat(pages).isEqualTo(3);

    assertThat(ids(admin.pending(MessageFilter.any().withTopic("b"), null, 10)))
        .isEqualTo(all.subList(5, 8));
    assertThat(ids(admin.pending(MessageFilter.any().withKey("k1"), null, 10)))
        .isEqualTo(all.subList(0, 5));
    Page<MessageView> keyPage = admin.pending(MessageFilter.any().withKey("k1"), null, 2);
    assertThat(ids(admin.pending(MessageFilter.any().withKey("k1"), keyPage.nextCursor(), 10)))
        .isEqualTo(all.subList(2, 5));
    assertThat(ids(admin.pending(MessageFilter.any().withState(MessageState.WAITING), null, 10)))
        .containsExactly(all.get(1), all.get(6));
    assertThat(ids(admin.pending(MessageFilter.any().withErrorContaining("said NO"), null, 10)))
        .containsExactly(all.get(1), all.get(6));
    assertThat(ids(admin.pending(MessageFilter.any().withErrorContaining("said no"), null, 10)))
        .as("case-sensitive")
        .isEmpty();
    assertThat(ids(admin.pending(MessageFilter.any().withErrorContaining("5_%"), null, 10)))
        .as("no LIKE wildcards")
        .isEmpty();
    assertThat(
            ids(
                admin.pending(
                    MessageFilter.any().withTopic("b").withErrorContaining("50%"), null, 10)))
        .containsExactly(all.get(6));

    claimUnordered(1, Set.of());
    List<MessageView> leased =
        admin.pending(MessageFilter.any().withState(MessageState.LEASED), null, 10).items();
    assertThat(leased).singleElement().satisfies(m -> assertThat(m.id()).isEqualTo(all.get(0)));
    assertThat(ids(admin.pending(MessageFilter.any().withState(MessageState.DUE), null, 10)))
        .containsExactly(all.get(2), all.get(3), all.get(4), all.get(5), all.get(7));
  }

  @Test
  void aMessageIsFoundByRowIdAndByMessageIdWithItsState() throws Exception {
    UUID messageId = enlist(OutboxMessage.of("t", "k", "hello")).get(0);
    long id = ids("t").get(0);
    OutboxAdmin admin = admin();
    MessageView m = admin.message(id).orElseThrow();
    assertThat(m.messageId()).isEqualTo(messageId);
    assertThat(m.state()).isEqualTo(MessageState.DUE);
    assertThat(m.payloadSize()).isEqualTo(5);
    assertThat(admin.messagesById(messageId)).extracting(MessageView::id).containsExactly(id);

    OutboxRelay relay = relay(new RecordingSender());
    relay.runOnce();
    assertThat(admin.message(id).orElseThrow().state()).isEqualTo(MessageState.SENT);
    assertThat(admin.message(id + 1000)).isEmpty();
  }

  // ---- dead letters ----

  @Test
  void replayPutsDeadLettersBackAtTheirOriginalIdOrAtTheEndAndCountsReplays() throws Exception {
    enlistMany(3, "t", "k");
    List<Long> original = ids("t");
    kill(relay(deadSender("first death")));
    OutboxAdmin admin = admin();
    List<DeadLetterView> dead = admin.deadLetters(DeadLetterFilter.none(), null, 10).items();
    assertThat(dead).extracting(DeadLetterView::id).isSortedAccordingTo((p, q) -> q.compareTo(p));
    assertThat(dead)
        .extracting(DeadLetterView::originalId)
        .containsExactlyInAnyOrderElementsOf(original);
    assertThat(dead).allSatisfy(d -> assertThat(d.replayCount()).isZero());
    assertThat(dead).allSatisfy(d -> assertThat(d.reason()).isEqualTo("first death"));
    DeadLetterView first = withOriginalId(dead, original.get(0));
    DeadLetterView second = withOriginalId(dead, original.get(1));
    enlist(OutboxMessage.of("t", "k", "later"));
    long later = ids("t").get(0);

    Change dry = admin.replay(DeadLetterFilter.ids(first.id()), true);
    assertThat(dry).isEqualTo(new Change(1, true, List.of(first.id())));
    assertThat(deadRows()).as("a dry run changes nothing").isEqualTo(3);
    assertThat(messageRows()).isEqualTo(1);

    Change back = admin.replay(DeadLetterFilter.ids(first.id()), false);
    assertThat(back).isEqualTo(new Change(1, false, List.of(first.id())));
    MessageView replayed = admin.message(first.originalId()).orElseThrow();
    assertThat(replayed.messageId()).isEqualTo(first.messageId());
    assertThat(replayed.state()).isEqualTo(MessageState.DUE);
    assertThat(replayed.attempts()).isZero();
    assertThat(replayed.nextAttemptAt()).isEqualTo(now());
    assertThat(replayCount(first.originalId())).isEqualTo(1);

    admin.replay(DeadLetterFilter.ids(second.id()), ReplayPlacement.END, false);
    List<Long> pending = ids("t");
    assertThat(pending).hasSize(3);
    long atEnd = pending.get(2);
    assertThat(atEnd).as("behind the message enlisted later").isGreaterThan(later);
    assertThat(admin.message(atEnd).orElseThrow().messageId()).isEqualTo(second.messageId());
    assertThat(admin.deadLetters(DeadLetterFilter.none(), null, 10).items()).hasSize(1);

    // The replayed message dies again: its dead letter keeps the count; a second replay adds one.
    clock.advance(Duration.ofSeconds(1));
    kill(relay(deadSender("second death")));
    DeadLetterView again =
        admin
            .deadLetters(DeadLetterFilter.none().withReasonContaining("second"), null, 10)
            .items()
            .stream()
            .filter(d -> d.messageId().equals(first.messageId()))
            .findFirst()
            .orElseThrow();
    assertThat(again.replayCount()).isEqualTo(1);
    assertThat(again.originalId()).isEqualTo(first.originalId());
    admin.replay(DeadLetterFilter.ids(again.id()), false);
    assertThat(admin.message(first.originalId())).isPresent();
    assertThat(replayCount(first.originalId())).isEqualTo(2);
  }

  @Test
  void replayAtTheOriginalIdTakesANewIdWhenThatIdIsTaken() throws Exception {
    enlistMany(1, "t", "k");
    long original = ids("t").get(0);
    kill(relay(deadSender("dead")));
    execute(
        "INSERT INTO "
            + messageTable()
            + " (id, message_id, topic, payload, headers, created_at, next_attempt_at) VALUES ("
            + original
            + ", UUID(), 'squatter', 'x', '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
    Change c = admin().replay(DeadLetterFilter.all(), false);
    assertThat(c.rows()).isEqualTo(1);
    assertThat(ids("squatter")).containsExactly(original);
    assertThat(ids("t")).singleElement().satisfies(id -> assertThat(id).isNotEqualTo(original));
    assertThat(deadRows()).isZero();
  }

  @Test
  void purgeRemovesExactlyTheMatchingDeadLettersAndADryRunNone() throws Exception {
    enlistMany(3, "x", null);
    enlistMany(2, "y", null);
    kill(relay(new RecordingSender().answering(r -> Outcome.dead(r, "no route " + r.topic()))));
    OutboxAdmin admin = admin();
    List<Long> xs =
        admin.deadLetters(DeadLetterFilter.none().withTopic("x"), null, 10).items().stream()
            .map(DeadLetterView::id)
            .sorted()
            .toList();
    assertThat(xs).hasSize(3);

    assertThat(admin.purge(DeadLetterFilter.none().withTopic("x"), true))
        .isEqualTo(new Change(3, true, xs));
    assertThat(deadRows()).isEqualTo(5);
    assertThat(admin.purge(DeadLetterFilter.none().withTopic("x"), false))
        .isEqualTo(new Change(3, false, xs));
    assertThat(admin.deadLetters(DeadLetterFilter.none(), null, 10).items())
        .extracting(DeadLetterView::topic)
        .containsExactly("y", "y");
    assertThat(admin.purge(DeadLetterFilter.none().withReasonContaining("route x"), false).rows())
        .isZero();
    assertThat(admin.purge(DeadLetterFilter.all(), false).rows()).isEqualTo(2);
    assertThat(deadRows()).isZero();
  }

  @Test
  void deadLettersArePagedNewestFirst() throws Exception {
    enlistMany(5, "t", null);
    kill(relay(deadSender("x")));
    OutboxAdmin admin = admin();
    Page<DeadLetterView> first = admin.deadLetters(DeadLetterFilter.none(), null, 3);
    Page<DeadLetterView> rest = admin.deadLetters(DeadLetterFilter.none(), first.nextCursor(), 3);
    List<Long> seen = new ArrayList<>();
    first.items().forEach(d -> seen.add(d.id()));
    rest.items().forEach(d -> seen.add(d.id()));
    assertThat(seen).hasSize(5).isSortedAccordingTo((p, q) -> Long.compare(q, p));
    assertThat(rest.nextCursor()).isNull();
    assertThat(admin.deadLetter(seen.get(0))).isPresent();
  }

  // ---- keys ----

  @Test
  void keyHeadRetryAndDeadLetterLeaveALeasedHeadAlone() throws Exception {
    enlistMany(3, "t", "k");
    List<Long> k = ids("t");
    long head = k.get(0);
    setColumn("next_attempt_at", "'" + Sql.utc(clock.instant().plusSeconds(600)) + "'", head);
    setColumn("attempts", "2", head);
    setColumn("replay_count", "4", head);
    OutboxAdmin admin = admin();

    KeyDiagnosis d = admin.key("k");
    assertThat(d.head().orElseThrow().id()).isEqualTo(head);
    assertThat(d.head().orElseThrow().state()).isEqualTo(MessageState.WAITING);
    assertThat(d.pending()).isEqualTo(3);
    assertThat(d.deadLetters()).isZero();

    assertThat(admin.retryKey("k", true)).isEqualTo(new Change(1, true, List.of(head)));
    assertThat(admin.message(head).orElseThrow().state()).isEqualTo(MessageState.WAITING);
    assertThat(admin.retryKey("k", false)).isEqualTo(new Change(1, false, List.of(head)));
    MessageView due = admin.message(head).orElseThrow();
    assertThat(due.state()).isEqualTo(MessageState.DUE);
    assertThat(due.attempts()).as("attempts are kept").isEqualTo(2);

    claimUnordered(1, Set.of()); // leases the head
    assertThat(admin.retryKey("k", false).rows()).isZero();
    assertThat(admin.deadLetterKeyHead("k", "stuck", true).rows()).isZero();
    assertThat(admin.deadLetterKeyHead("k", "stuck", false).rows()).isZero();
    assertThat(admin.message(head).orElseThrow().state()).isEqualTo(MessageState.LEASED);
    assertThat(deadRows()).isZero();

    clock.advance(Duration.ofMinutes(2)); // the lease is over
    assertThat(admin.deadLetterKeyHead("k", "stuck", true))
        .isEqualTo(new Change(1, true, List.of(head)));
    assertThat(deadRows()).isZero();
    assertThat(admin.deadLetterKeyHead("k", "stuck", false))
        .isEqualTo(new Change(1, false, List.of(head)));
    DeadLetterView dead = admin.deadLetters(DeadLetterFilter.none(), null, 1).items().get(0);
    assertThat(dead.originalId()).isEqualTo(head);
    assertThat(dead.reason()).isEqualTo("stuck");
    assertThat(dead.attempts()).isEqualTo(3);
    assertThat(dead.replayCount()).isEqualTo(4);
    KeyDiagnosis after = admin.key("k");
    assertThat(after.head().orElseThrow().id()).isEqualTo(k.get(1));
    assertThat(after.pending()).isEqualTo(2);
    assertThat(after.deadLetters()).isEqualTo(1);
    assertThat(admin.retryKey("nobody", false).rows()).isZero();
    assertThat(admin.key("nobody").head()).isEmpty();
  }

  @Test
  void aHeadThatAClaimIsLeasingIsLeftAloneOnceTheClaimCommits() throws Exception {
    enlistMany(2, "t", "k");
    long head = ids("t").get(0);
    setColumn("next_attempt_at", "'" + Sql.utc(clock.instant().plusSeconds(600)) + "'", head);
    OutboxAdmin admin = admin();
    try (Connection claim = dataSource.getConnection()) {
      // What a claim does: lock the row, stamp its lease, commit.
      claim.setAutoCommit(false);
      try (Statement s = claim.createStatement()) {
        s.executeQuery("SELECT id FROM " + messageTable() + " WHERE id = " + head + " FOR UPDATE")
            .close();
        s.executeUpdate(
            "UPDATE "
                + messageTable()
                + " SET lease_token = '"
                + UUID.randomUUID()
                + "', lease_until = '"
                + Sql.utc(clock.instant().plusSeconds(60))
                + "' WHERE id = "
                + head);
      }
      CompletableFuture<Change> retry =
          CompletableFuture.supplyAsync(() -> admin.retryKey("k", false));
      CompletableFuture<Change> kill =
          CompletableFuture.supplyAsync(() -> admin.deadLetterKeyHead("k", "stuck", false));
      Thread.sleep(300);
      assertThat(retry).as("waits for the claim's lock").isNotDone();
      assertThat(kill).as("waits for the claim's lock").isNotDone();
      claim.commit();
      assertThat(retry.get(10, TimeUnit.SECONDS).rows()).as("rechecked: now leased").isZero();
      assertThat(kill.get(10, TimeUnit.SECONDS).rows()).as("rechecked: now leased").isZero();
    }
    assertThat(admin.message(head).orElseThrow().state()).isEqualTo(MessageState.LEASED);
    assertThat(
            queryString(
                "SELECT CAST(next_attempt_at AS CHAR) FROM " + messageTable() + " WHERE id = ?",
                head))
        .as("the waiting time is untouched")
        .isEqualTo(Sql.utc(clock.instant().plusSeconds(600)));
    assertThat(deadRows()).isZero();
  }

  // ---- pause ----

  @Test
  void pauseKeepsItsFirstTimeAndResumeLiftsIt() throws Exception {
    OutboxAdmin admin = admin();
    AdminSupport sql = dialect.admin();
    Instant first = now();
    admin.pause("a", "broker down");
    clock.advance(Duration.ofMinutes(5));
    admin.pause("a", "still down");
    admin.pause("b", null);
    assertThat(admin.paused())
        .containsExactly(
            new PausedTopic("a", first, "still down"), new PausedTopic("b", now(), null));
    admin.pauseAll("freeze");
    assertThat(admin.paused().get(0).allTopics()).isTrue();
    try (Connection c = dataSource.getConnection()) {
      assertThat(sql.pausedTopics(c, tables)).containsExactlyInAnyOrder("", "a", "b");
    }
    assertThat(admin.overview().allPaused()).isTrue();

    assertThat(admin.resumeAll()).isTrue();
    assertThat(admin.resumeAll()).isFalse();
    assertThat(admin.resume("a")).isTrue();
    assertThat(admin.resume("a")).isFalse();
    assertThat(admin.paused()).extracting(PausedTopic::topic).containsExactly("b");
  }

  @Test
  void aRelayDoesNotClaimAPausedTopicNorAnythingWhenAllArePaused() throws Exception {
    enlistMany(2, "p", null);
    enlistMany(2, "q", null);
    OutboxAdmin admin = admin();
    admin.pause("p", null);
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender);
    drain(relay);
    assertThat(sender.received()).extracting(OutboxRecord::topic).containsExactly("q", "q");
    admin.pauseAll(null);
    admin.resume("p");
    Thread.sleep(100); // the relay reads the pauses once a poll interval (50 ms)
    assertThat(relay.runOnce()).isZero();
    admin.resumeAll();
    Thread.sleep(100);
    drain(relay);
    assertThat(sender.received()).extracting(OutboxRecord::topic).endsWith("p", "p");
  }

  @Test
  void aPerKeyClaimStopsEachKeyAtItsFirstPausedMessage() throws Exception {
    enlist(
        OutboxMessage.of("p", "k1", "k1-0"),
        OutboxMessage.of("q", "k1", "k1-1"),
        OutboxMessage.of("q", "k2", "k2-0"),
        OutboxMessage.of("q", "k2", "k2-1"),
        OutboxMessage.of("q", "k3", "k3-0"),
        OutboxMessage.of("p", "k3", "k3-1"),
        OutboxMessage.of("q", "k3", "k3-2"),
        OutboxMessage.of("p", null, "u-0"),
        OutboxMessage.of("q", null, "u-1"));
    ClaimRequest perKey =
        new ClaimRequest(
            10,
            clock.instant(),
            UUID.randomUUID(),
            clock.instant().plusSeconds(60),
            true,
            null,
            false,
            0,
            Set.of("p"));
    ClaimResult claimed;
    try (Connection c = dataSource.getConnection()) {
      claimed = dialect.claim(c, tables, perKey);
    }
    assertThat(claimed.records())
        .extracting(r -> new String(r.payload(), java.nio.charset.StandardCharsets.UTF_8))
        .as("k1's head is paused, so k1-1 waits; k3's run ends before its paused message")
        .containsExactlyInAnyOrder("k2-0", "k2-1", "k3-0", "u-1");

    // The same through a relay: other keys drain, the paused key's later message stays.
    execute("UPDATE " + messageTable() + " SET lease_until = NULL, lease_token = NULL");
    OutboxAdmin admin = admin();
    admin.pause("p", "maintenance");
    RecordingSender sender = new RecordingSender();
    drain(closeAfterTest(relayBuilder(sender).ordering(Ordering.PER_KEY).build()));
    assertThat(sender.received())
        .extracting(r -> new String(r.payload(), java.nio.charset.StandardCharsets.UTF_8))
        .containsExactlyInAnyOrder("k2-0", "k2-1", "k3-0", "u-1");
    assertThat(admin.key("k1").paused()).isTrue();
    assertThat(admin.key("k1").pending()).isEqualTo(2);

    // Without per-key order paused rows are simply skipped.
    enlistMany(1, "q", "k1");
    ClaimResult unordered = claimUnordered(10, Set.of("p"));
    assertThat(unordered.records()).extracting(OutboxRecord::topic).containsOnly("q");
    assertThat(unordered.records()).as("k1-1, k3-2 and the new one").hasSize(3);
  }

  // ---- relay heartbeat ----

  @Test
  void heartbeatUpsertsTheRelayRowAndLeaveRemovesItAndStaleRows() throws Exception {
    AdminSupport sql = dialect.admin();
    Instant now = now();
    try (Connection c = dataSource.getConnection()) {
      sql.heartbeat(c, tables, new RelayHeartbeat(7, "r", "h1", now, now, null, 0));
      sql.heartbeat(
          c,
          tables,
          new RelayHeartbeat(7, "r", "h1", now, now.plusSeconds(5), now.plusSeconds(4), 12));
      sql.heartbeat(
          c,
          tables,
          new RelayHeartbeat(
              8,
              "old",
              "h2",
              now.minus(Duration.ofDays(3)),
              now.minus(Duration.ofDays(2)),
              null,
              0));
      sql.heartbeat(c, tables, new RelayHeartbeat(9, "other", "h3", now, now, null, 1));
      assertThat(sql.relays(c, tables, now.minusSeconds(60)))
          .containsExactly(
              new RelayView(9, "other", "h3", now, now, null, 1),
              new RelayView(7, "r", "h1", now, now.plusSeconds(5), now.plusSeconds(4), 12));
      sql.leave(c, tables, 7, now.minus(Duration.ofDays(1)));
      assertThat(sql.relays(c, tables, Instant.EPOCH))
          .extracting(RelayView::instance)
          .containsExactly(9L);
    }
  }

  @Test
  void aRunningRelayReportsItselfAndNamesItsLeases() throws Exception {
    enlistMany(1, "t", null);
    OutboxRelay relay = closeAfterTest(relayBuilder(new RecordingSender()).name("billing").build());
    relay.runOnce();
    assertThat(admin().overview().relays())
        .singleElement()
        .satisfies(r -> assertThat(r.name()).isEqualTo("billing"));
    relay.close();
    assertThat(admin().overview().relays()).as("a closed relay leaves").isEmpty();
  }

  // ---- helpers ----

  private Instant now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  private static DeadLetterView withOriginalId(List<DeadLetterView> dead, long originalId) {
    return dead.stream().filter(d -> d.originalId() == originalId).findFirst().orElseThrow();
  }

  private static RecordingSender deadSender(String reason) {
    return new RecordingSender().answering(r -> Outcome.dead(r, reason));
  }

  private static void kill(OutboxRelay relay) {
    drain(relay);
  }

  private ClaimResult claimUnordered(int n, Set<String> paused) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return dialect.claim(
          c,
          tables,
          ClaimRequest.unordered(
                  n, clock.instant(), UUID.randomUUID(), clock.instant().plusSeconds(60))
              .withPausedTopics(paused));
    }
  }

  private void setColumn(String column, String value, long id) throws SQLException {
    execute("UPDATE " + messageTable() + " SET " + column + " = " + value + " WHERE id = " + id);
  }

  private long replayCount(long id) throws SQLException {
    return queryLong("SELECT replay_count FROM " + messageTable() + " WHERE id = ?", id);
  }

  /** The pending row ids of {@code topic}, in id order. */
  private List<Long> ids(String topic) throws SQLException {
    return queryLongs(
        "SELECT id FROM " + messageTable() + " WHERE status = 0 AND topic = ? ORDER BY id", topic);
  }

  private static List<Long> ids(Page<MessageView> page) {
    return page.items().stream().map(MessageView::id).toList();
  }
}
