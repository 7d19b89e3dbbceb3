package dev.outbox.postgres;

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
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresAdmin} through {@link OutboxAdmin}, against a real PostgreSQL: every read is
 * checked against rows put into a known state, every change against the rows it must (and must not)
 * touch.
 */
class PostgresAdminIT extends OutboxContractSupport {

  private OutboxAdmin admin;

  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @BeforeEach
  void newAdmin() {
    admin = OutboxAdmin.builder(dataSource, dialect).tables(tables).clock(clock).build();
  }

  // ---- helpers ----

  /** Row ids of the messages with {@code messageIds}, in the same order. */
  private List<Long> rowIds(List<UUID> messageIds) throws SQLException {
    List<Long> ids = new ArrayList<>();
    for (UUID m : messageIds) {
      ids.add(queryLong("SELECT id FROM " + messageTable() + " WHERE message_id = ?", m));
    }
    return ids;
  }

  private void update(String setAndWhere, Object... params) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("UPDATE " + messageTable() + " SET " + setAndWhere)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        ps.setObject(i + 1, p instanceof Instant t ? PostgresDialect.utc(t) : p);
      }
      ps.executeUpdate();
    }
  }

  private void leaseUntil(long id, Instant until) throws SQLException {
    update(
        "lease_token = ?, lease_until = ? WHERE id = ?",
        new UUID(42, 7),
        PostgresDialect.utc(until),
        id);
  }

  private void waitUntil(long id, Instant next, String error) throws SQLException {
    update(
        "next_attempt_at = ?, attempts = 1, last_error = ? WHERE id = ?",
        PostgresDialect.utc(next),
        error,
        id);
  }

  /** A relay whose sender kills every message of topic {@code dying} and sends the rest. */
  private OutboxRelay killing(String dying) {
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r -> dying.equals(r.topic()) ? Outcome.dead(r, "poison " + r.id()) : sent(r));
    return relay(sender);
  }

  private static Outcome sent(OutboxRecord r) {
    return Outcome.sent(r);
  }

  private TopicCounts topic(Overview o, String topic) {
    return o.topics().stream()
        .filter(t -> t.topic().equals(topic))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no counts for topic " + topic + ": " + o.topics()));
  }

  // ---- the overview ----

  @Test
  void theOverviewCountsEachTopicByStateAtTheAdminsClock() throws Exception {
    enlistMany(1, "c", null);
    drain(killing("c"));
    List<Long> a = rowIds(enlistMany(4, "a", null));
    List<Long> b = rowIds(enlistMany(2, "b", "k"));
    Instant now = clock.instant();
    leaseUntil(a.get(0), now.plusSeconds(30));
    leaseUntil(a.get(1), now.minusSeconds(1)); // an expired lease: due again
    waitUntil(a.get(2), now.plusSeconds(60), "broker said no");
    update("status = 1, sent_at = ? WHERE id = ?", now, b.get(0));

    Overview o = admin.overview();

    assertThat(topic(o, "a"))
        .extracting(
            TopicCounts::due,
            TopicCounts::leased,
            TopicCounts::waiting,
            TopicCounts::dead,
            TopicCounts::sentRecently)
        .containsExactly(2L, 1L, 1L, 0L, 0L);
    assertThat(topic(o, "b"))
        .extracting(
            TopicCounts::due,
            TopicCounts::leased,
            TopicCounts::waiting,
            TopicCounts::dead,
            TopicCounts::sentRecently)
        .containsExactly(1L, 0L, 0L, 0L, 1L);
    assertThat(topic(o, "c"))
        .extracting(TopicCounts::pending, TopicCounts::dead, TopicCounts::sentRecently)
        .containsExactly(0L, 1L, 0L);
    assertThat(o.topics()).extracting(TopicCounts::topic).containsExactly("a", "b", "c");
    assertThat(o.pending()).isEqualTo(5);
    assertThat(o.deadLetters()).isEqualTo(1);
    assertThat(o.attempts()).as("pending messages by attempts").containsEntry(0, 4L);
    assertThat(o.attempts()).containsEntry(1, 1L).hasSize(2);

    clock.advance(Duration.ofSeconds(61));
    Overview later = admin.overview();
    assertThat(topic(later, "a"))
        .as("the lease and the wait have ended by the later clock")
        .extracting(TopicCounts::due, TopicCounts::leased, TopicCounts::waiting)
        .containsExactly(4L, 0L, 0L);
    clock.advance(Duration.ofHours(2));
    assertThat(topic(admin.overview(Duration.ofMinutes(5)), "b").sentRecently())
        .as("created more than the window ago: not counted (the window is on created_at)")
        .isZero();
  }

  // ---- messages ----

  @Test
  void messagesAreFoundByRowIdAndByMessageIdWithTheirState() throws Exception {
    List<UUID> mids =
        enlist(
            OutboxMessage.builder("t").key("k").payload("hello").header("h1", "v1").build(),
            OutboxMessage.of("t", null, "other"));
    List<Long> ids = rowIds(mids);
    update("status = 1, sent_at = ? WHERE id = ?", clock.instant(), ids.get(1));

    MessageView first = admin.message(ids.get(0)).orElseThrow();
    assertThat(first.messageId()).isEqualTo(mids.get(0));
    assertThat(first.key()).isEqualTo("k");
    assertThat(first.state()).isEqualTo(MessageState.DUE);
    assertThat(first.payloadSize()).isEqualTo(5);
    assertThat(first.headers()).containsEntry("h1", "v1");
    assertThat(admin.message(ids.get(1)).orElseThrow().state()).isEqualTo(MessageState.SENT);
    assertThat(admin.message(ids.get(1) + 1000)).isEmpty();
    assertThat(admin.messagesById(mids.get(1)))
        .singleElement()
        .extracting(MessageView::id)
        .isEqualTo(ids.get(1));
    assertThat(admin.messagesById(UUID.randomUUID())).isEmpty();
  }

  @Test
  void thePendingListingFiltersAndPagesInIdOrder() throws Exception {
    List<Long> a = rowIds(enlistMany(5, "a", "k1"));
    List<Long> b = rowIds(enlistMany(5, "b", "k2"));
    List<Long> sent = rowIds(enlistMany(2, "a", "k1"));
    Instant now = clock.instant();
    update("status = 1, sent_at = ? WHERE id = ANY (?)", now, sent.toArray(Long[]::new));
    leaseUntil(a.get(1), now.plusSeconds(30));
    waitUntil(a.get(2), now.plusSeconds(30), "timeout talking to broker-1");
    waitUntil(b.get(3), now.plusSeconds(30), "connection refused");

    List<Long> all = new ArrayList<>(a);
    all.addAll(b);
    assertThat(ids(admin.pending(MessageFilter.any(), null, 1000)))
        .as("every pending message, no sent one")
        .isEqualTo(all);
    assertThat(ids(admin.pending(MessageFilter.any().withTopic("b"), null, 100))).isEqualTo(b);
    assertThat(ids(admin.pending(MessageFilter.any().withKey("k1"), null, 100))).isEqualTo(a);
    assertThat(ids(admin.pending(MessageFilter.any().withTopic("a").withKey("k2"), null, 100)))
        .isEmpty();
    assertThat(ids(admin.pending(MessageFilter.any().withState(MessageState.LEASED), null, 100)))
        .containsExactly(a.get(1));
    assertThat(ids(admin.pending(MessageFilter.any().withState(MessageState.WAITING), null, 100)))
        .containsExactly(a.get(2), b.get(3));
    assertThat(ids(admin.pending(MessageFilter.any().withState(MessageState.DUE), null, 100)))
        .hasSize(7)
        .doesNotContain(a.get(1), a.get(2), b.get(3));
    assertThat(ids(admin.pending(MessageFilter.any().withErrorContaining("broker"), null, 100)))
        .as("errors containing 'broker' (case-sensitive)")
        .containsExactly(a.get(2));
    assertThat(ids(admin.pending(MessageFilter.any().withErrorContaining("Broker"), null, 100)))
        .isEmpty();

    // Paging: pages of 3 over the 10 pending messages, then over the 5 of key k2.
    List<Long> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Page<MessageView> page = admin.pending(MessageFilter.any(), cursor, 3);
      paged.addAll(ids(page));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);
    assertThat(paged).isEqualTo(all);
    assertThat(pages).isEqualTo(4);
    Page<MessageView> firstOfKey = admin.pending(MessageFilter.any().withKey("k2"), null, 3);
    Page<MessageView> restOfKey =
        admin.pending(MessageFilter.any().withKey("k2"), firstOfKey.nextCursor(), 3);
    assertThat(ids(firstOfKey)).isEqualTo(b.subList(0, 3));
    assertThat(ids(restOfKey)).isEqualTo(b.subList(3, 5));
    assertThat(restOfKey.nextCursor()).isNull();
  }

  private static List<Long> ids(Page<MessageView> page) {
    return page.items().stream().map(MessageView::id).toList();
  }

  // ---- dead letters ----

  @Test
  void replayAtOriginalKeepsTheIdAndAtEndTakesANewOneAndTheCountSurvivesASecondDeath()
      throws Exception {
    long first = rowIds(enlistMany(1, "dying", "k")).get(0);
    drain(killing("dying"));
    long later = rowIds(enlistMany(1, "other", "k")).get(0);

    DeadLetterView dead =
        admin.deadLetters(DeadLetterFilter.none(), null, 10).items().stream().collect(onlyOne());
    assertThat(dead.originalId()).isEqualTo(first);
    assertThat(dead.replayCount()).isZero();
    assertThat(dead.reason()).isEqualTo("poison " + first);

    Change dry = admin.replay(DeadLetterFilter.ids(dead.id()), true);
    assertThat(dry).isEqualTo(new Change(1, true, List.of(dead.id())));
    assertThat(deadRows()).as("a dry run changes nothing").isEqualTo(1);

    Change replayed = admin.replay(DeadLetterFilter.ids(dead.id()), false);
    assertThat(replayed).isEqualTo(new Change(1, false, List.of(dead.id())));
    assertThat(deadRows()).isZero();
    MessageView back = admin.message(first).orElseThrow();
    assertThat(back.state()).isEqualTo(MessageState.DUE);
    assertThat(back.attempts()).isZero();
    assertThat(back.messageId()).isEqualTo(dead.messageId());
    assertThat(admin.key("k").head())
        .as("back ahead of the later message of its key")
        .get()
        .usingRecursiveComparison()
        .ignoringFields("payloadPreview")
        .isEqualTo(back);
    assertThat(queryLong("SELECT replay_count FROM " + messageTable() + " WHERE id = ?", first))
        .isEqualTo(1);
    assertThat(later).isGreaterThan(first);

    drain(killing("dying")); // dies again; "other" is sent behind it
    DeadLetterView again =
        admin.deadLetters(DeadLetterFilter.none().withTopic("dying"), null, 10).items().stream()
            .collect(onlyOne());
    assertThat(again.replayCount()).as("the replay count went with it to the dead letters").isOne();
    assertThat(again.originalId()).isEqualTo(first);

    admin.replay(DeadLetterFilter.ids(again.id()), ReplayPlacement.END, false);
    MessageView atEnd = admin.messagesById(dead.messageId()).stream().collect(onlyOne());
    assertThat(atEnd.id()).as("behind everything enlisted so far").isGreaterThan(later);
    assertThat(
            queryLong("SELECT replay_count FROM " + messageTable() + " WHERE id = ?", atEnd.id()))
        .isEqualTo(2);
  }

  @Test
  void replayAtOriginalTakesANewIdWhenTheOriginalIdIsTaken() throws Exception {
    long first = rowIds(enlistMany(1, "dying", null)).get(0);
    drain(killing("dying"));
    // A row with the same id (possible: the id is unique only with created_at).
    execute(
        "INSERT INTO "
            + messageTable()
            + " (id, message_id, topic, payload, next_attempt_at, status, sent_at)"
            + " VALUES ("
            + first
            + ", gen_random_uuid(), 'squatter', '\\x00', now(), 1, now())");

    Change c = admin.replay(DeadLetterFilter.all(), ReplayPlacement.ORIGINAL, false);

    assertThat(c.rows()).isOne();
    assertThat(
            queryLong(
                "SELECT count(*) FROM " + messageTable() + " WHERE id = ? AND topic = 'dying'",
                first))
        .isZero();
    assertThat(queryLong("SELECT count(*) FROM " + messageTable() + " WHERE id = ?", first))
        .as("the id stays unique")
        .isOne();
    assertThat(admin.pending(MessageFilter.any().withTopic("dying"), null, 10).items())
        .singleElement()
        .extracting(MessageView::id)
        .matches(id -> id > first, "a new id above " + first);
  }

  @Test
  void deadLettersAreListedNewestFirstFilteredAndPaged() throws Exception {
    enlistMany(3, "x", "kx");
    enlistMany(2, "y", null);
    RecordingSender killAll =
        new RecordingSender().answering(r -> Outcome.dead(r, "bad " + r.topic()));
    drain(relay(killAll));
    List<DeadLetterView> all = admin.deadLetters(DeadLetterFilter.none(), null, 100).items();
    assertThat(all).hasSize(5);
    assertThat(all)
        .extracting(DeadLetterView::id)
        .isSortedAccordingTo((p, q) -> Long.compare(q, p));
    assertThat(admin.deadLetters(DeadLetterFilter.none().withTopic("x"), null, 100).items())
        .hasSize(3)
        .allSatisfy(d -> assertThat(d.key()).isEqualTo("kx"));
    assertThat(admin.deadLetters(DeadLetterFilter.none().withKey("kx"), null, 100).items())
        .hasSize(3);
    assertThat(
            admin
                .deadLetters(DeadLetterFilter.none().withReasonContaining("bad y"), null, 100)
                .items())
        .hasSize(2);
    Instant deadAt = all.get(0).deadAt();
    assertThat(admin.deadLetters(DeadLetterFilter.none().withDeadBefore(deadAt), null, 100).items())
        .isEmpty();
    assertThat(admin.deadLetters(DeadLetterFilter.none().withDeadSince(deadAt), null, 100).items())
        .hasSize(5);
    Page<DeadLetterView> p1 = admin.deadLetters(DeadLetterFilter.none(), null, 2);
    Page<DeadLetterView> p2 = admin.deadLetters(DeadLetterFilter.none(), p1.nextCursor(), 2);
    Page<DeadLetterView> p3 = admin.deadLetters(DeadLetterFilter.none(), p2.nextCursor(), 2);
    List<DeadLetterView> paged = new ArrayList<>(p1.items());
    paged.addAll(p2.items());
    paged.addAll(p3.items());
    assertThat(paged).isEqualTo(all);
    assertThat(p3.nextCursor()).isNull();
    assertThat(admin.deadLetter(all.get(4).id()))
        .get()
        .usingRecursiveComparison()
        .ignoringFields("payloadPreview")
        .isEqualTo(all.get(4));
    assertThat(admin.deadLetter(all.get(0).id() + 100)).isEmpty();
  }

  @Test
  void purgeRemovesExactlyWhatMatchesAndItsDryRunNothing() throws Exception {
    enlistMany(3, "x", null);
    enlistMany(2, "y", null);
    drain(relay(new RecordingSender().answering(r -> Outcome.dead(r, "bad " + r.topic()))));
    List<Long> xs =
        admin.deadLetters(DeadLetterFilter.none().withTopic("x"), null, 10).items().stream()
            .map(DeadLetterView::id)
            .sorted()
            .toList();

    Change dry = admin.purge(DeadLetterFilter.none().withTopic("x"), true);
    assertThat(dry).isEqualTo(new Change(3, true, xs));
    assertThat(deadRows()).isEqualTo(5);
    Change replayDry = admin.replay(DeadLetterFilter.none().withTopic("x"), true);
    assertThat(replayDry).isEqualTo(new Change(3, true, xs));
    assertThat(messageRows()).as("nothing went back").isEqualTo(0);

    Change purged = admin.purge(DeadLetterFilter.none().withTopic("x"), false);
    assertThat(purged).isEqualTo(new Change(3, false, xs));
    assertThat(admin.deadLetters(DeadLetterFilter.none(), null, 10).items())
        .extracting(DeadLetterView::topic)
        .containsOnly("y")
        .hasSize(2);
    assertThat(admin.purge(DeadLetterFilter.none().withTopic("x"), false).rows()).isZero();
    assertThat(admin.purge(DeadLetterFilter.all(), false).rows()).isEqualTo(2);
    assertThat(deadRows()).isZero();
  }

  @Test
  void aChangeSamplesTwentyIdsAndCountsThemAll() throws Exception {
    enlistMany(25, "x", null);
    drain(relay(new RecordingSender().answering(r -> Outcome.dead(r, "bad"))));
    Change c = admin.replay(DeadLetterFilter.all(), ReplayPlacement.END, false);
    assertThat(c.rows()).isEqualTo(25);
    assertThat(c.sample()).hasSize(Change.SAMPLE).isSorted();
    assertThat(rowsWithStatus(0)).isEqualTo(25);
  }

  // ---- keys ----

  @Test
  void theKeyHeadIsRetriedOrDeadLetteredUnlessLeased() throws Exception {
    List<Long> k = rowIds(enlistMany(3, "t", "k"));
    Instant now = clock.instant();
    waitUntil(k.get(0), now.plusSeconds(600), "broker down");

    KeyDiagnosis d = admin.key("k");
    assertThat(d.head()).map(MessageView::id).hasValue(k.get(0));
    assertThat(d.head().orElseThrow().state()).isEqualTo(MessageState.WAITING);
    assertThat(d.pending()).isEqualTo(3);
    assertThat(d.verdict()).contains("waits for attempt 2");

    assertThat(admin.retryKey("k", true)).isEqualTo(new Change(1, true, List.of(k.get(0))));
    assertThat(admin.key("k").head().orElseThrow().state()).isEqualTo(MessageState.WAITING);
    assertThat(admin.retryKey("k", false)).isEqualTo(new Change(1, false, List.of(k.get(0))));
    MessageView retried = admin.key("k").head().orElseThrow();
    assertThat(retried.state()).isEqualTo(MessageState.DUE);
    assertThat(retried.nextAttemptAt()).isEqualTo(now);
    assertThat(retried.attempts()).as("attempts kept").isOne();
    assertThat(admin.retryKey("k", false).rows()).as("a due head: nothing to do").isZero();

    leaseUntil(k.get(0), now.plusSeconds(30));
    assertThat(admin.retryKey("k", false).rows()).isZero();
    assertThat(admin.deadLetterKeyHead("k", "skip it", true).rows()).isZero();
    assertThat(admin.deadLetterKeyHead("k", "skip it", false).rows()).isZero();
    assertThat(admin.message(k.get(0)).orElseThrow().state()).isEqualTo(MessageState.LEASED);
    assertThat(deadRows()).isZero();

    clock.advance(Duration.ofSeconds(31));
    assertThat(admin.deadLetterKeyHead("k", "skip it", true))
        .isEqualTo(new Change(1, true, List.of(k.get(0))));
    assertThat(deadRows()).isZero();
    assertThat(admin.deadLetterKeyHead("k", "skip it", false))
        .isEqualTo(new Change(1, false, List.of(k.get(0))));
    DeadLetterView dead = admin.deadLetters(DeadLetterFilter.none(), null, 10).items().get(0);
    assertThat(dead.originalId()).isEqualTo(k.get(0));
    assertThat(dead.reason()).isEqualTo("skip it");
    assertThat(dead.deadAt()).isEqualTo(clock.instant());
    KeyDiagnosis after = admin.key("k");
    assertThat(after.head()).map(MessageView::id).hasValue(k.get(1));
    assertThat(after.pending()).isEqualTo(2);
    assertThat(after.deadLetters()).isOne();
    assertThat(admin.key("nothing").head()).isEmpty();
    assertThat(admin.retryKey("nothing", false).rows()).isZero();
  }

  @Test
  void aKeyActionWaitsForAClaimHoldingTheHeadAndThenLeavesItAlone() throws Exception {
    long head = rowIds(enlistMany(2, "t", "k")).get(0);
    try (Connection claim = dataSource.getConnection()) {
      claim.setAutoCommit(false);
      try (PreparedStatement ps =
          claim.prepareStatement(
              "UPDATE "
                  + messageTable()
                  + " SET lease_token = gen_random_uuid(), lease_until = ?, attempts = 1"
                  + " WHERE id = ?")) {
        ps.setObject(1, PostgresDialect.utc(clock.instant().plusSeconds(30)));
        ps.setLong(2, head);
        ps.executeUpdate();
      }
      CompletableFuture<Change> action =
          CompletableFuture.supplyAsync(() -> admin.deadLetterKeyHead("k", "skip", false));
      Assertions.assertThatThrownBy(() -> action.get(500, TimeUnit.MILLISECONDS))
          .as("the action waits for the claim's lock")
          .isInstanceOf(TimeoutException.class);
      claim.commit();
      assertThat(action.get(10, TimeUnit.SECONDS).rows())
          .as("it then sees the lease the claim committed")
          .isZero();
    }
    assertThat(deadRows()).isZero();
    assertThat(admin.message(head).orElseThrow().state()).isEqualTo(MessageState.LEASED);
  }

  // ---- pause and resume ----

  @Test
  void pausesAreStoredKeepTheirTimeAndResumeOneByOne() throws Exception {
    Instant first = clock.instant();
    admin.pause("orders", "broker upgrade");
    clock.advance(Duration.ofMinutes(5));
    admin.pause("orders", "still upgrading");
    admin.pause("audit", null);
    admin.pauseAll("freeze");

    List<PausedTopic> paused = admin.paused();
    assertThat(paused)
        .containsExactly(
            new PausedTopic(null, clock.instant(), "freeze"),
            new PausedTopic("audit", clock.instant(), null),
            new PausedTopic("orders", first, "still upgrading"));
    try (Connection c = dataSource.getConnection()) {
      assertThat(dialect.admin().pausedTopics(c, tables))
          .containsExactlyInAnyOrder(AdminSupport.ALL_TOPICS, "audit", "orders");
    }

    assertThat(admin.resume("orders")).isTrue();
    assertThat(admin.resume("orders")).isFalse();
    assertThat(admin.resumeAll()).isTrue();
    assertThat(admin.resumeAll()).isFalse();
    assertThat(admin.paused()).extracting(PausedTopic::topic).containsExactly("audit");
    assertThat(admin.overview().paused()).extracting(PausedTopic::topic).containsExactly("audit");
  }

  @Test
  void aPerKeyClaimDoesNotPassAPausedHeadWhileOtherKeysDrain() throws Exception {
    // k1: its head is paused; k2: open; k3: a run that meets a paused message in its middle.
    List<Long> k1 =
        rowIds(
            enlist(OutboxMessage.of("paused", "k1", "p1"), OutboxMessage.of("open", "k1", "n1")));
    List<Long> k2 =
        rowIds(enlist(OutboxMessage.of("open", "k2", "o1"), OutboxMessage.of("open", "k2", "o2")));
    List<Long> k3 =
        rowIds(
            enlist(
                OutboxMessage.of("open", "k3", "x1"),
                OutboxMessage.of("paused", "k3", "p2"),
                OutboxMessage.of("open", "k3", "x2")));
    List<Long> unkeyed =
        rowIds(
            enlist(OutboxMessage.of("paused", null, "u1"), OutboxMessage.of("open", null, "u2")));
    admin.pause("paused", "test");
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender);
    drain(relay);
    assertThat(sender.received())
        .extracting(OutboxRecord::id)
        .containsExactlyInAnyOrder(k2.get(0), k2.get(1), k3.get(0), unkeyed.get(1));
    assertThat(admin.key("k1").paused()).isTrue();
    assertThat(admin.key("k1").verdict()).contains("paused topic 'paused'");

    admin.resume("paused");
    Thread.sleep(200); // the relay reads the pause table again after its poll interval (50 ms)
    drain(relay);
    List<Long> order = sender.received().stream().map(OutboxRecord::id).toList();
    assertThat(order)
        .containsExactlyInAnyOrder(
            k1.get(0),
            k1.get(1),
            k2.get(0),
            k2.get(1),
            k3.get(0),
            k3.get(1),
            k3.get(2),
            unkeyed.get(0),
            unkeyed.get(1));
    assertThat(order.indexOf(k1.get(0))).isLessThan(order.indexOf(k1.get(1)));
    assertThat(order.indexOf(k3.get(1))).isLessThan(order.indexOf(k3.get(2)));
  }

  @Test
  void anUnorderedClaimSkipsPausedTopics() throws Exception {
    List<Long> ids =
        rowIds(
            enlist(
                OutboxMessage.of("paused", "k", "p"),
                OutboxMessage.of("open", "k", "o"),
                OutboxMessage.of("open", null, "u")));
    Instant now = clock.instant();
    ClaimRequest request =
        ClaimRequest.unordered(10, now, UUID.randomUUID(), now.plusSeconds(30))
            .withPausedTopics(Set.of("paused", "elsewhere"));
    ClaimResult claimed;
    try (Connection c = dataSource.getConnection()) {
      claimed = dialect.claim(c, tables, request);
    }
    assertThat(claimed.records())
        .extracting(OutboxRecord::id)
        .containsExactly(ids.get(1), ids.get(2));
    try (Connection c = dataSource.getConnection()) {
      ClaimRequest all =
          ClaimRequest.unordered(10, now.plusSeconds(60), UUID.randomUUID(), now.plusSeconds(90))
              .withPausedTopics(Set.of(AdminSupport.ALL_TOPICS));
      assertThat(dialect.claim(c, tables, all).records())
          .as("the pause of every topic claims nothing")
          .isEmpty();
    }
    // The same through a relay with Ordering.NONE: nothing more while paused.
    admin.pause("paused", null);
    RecordingSender sender = new RecordingSender();
    clock.advance(Duration.ofMinutes(1));
    drain(closeAfterTest(relayBuilder(sender).ordering(Ordering.NONE).build()));
    assertThat(sender.received())
        .extracting(OutboxRecord::id)
        .as("the leases ran out, so the open ones are claimed again; the paused one never")
        .containsExactly(ids.get(1), ids.get(2));
  }

  @Test
  void pausingEveryTopicStopsTheRelay() throws Exception {
    enlistMany(3, "any", null);
    admin.pauseAll("stop");
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender);
    assertThat(relay.runOnce()).isZero();
    assertThat(sender.received()).isEmpty();
  }

  // ---- relays ----

  @Test
  void relaysReportThemselvesAndLeaveAndNameTheirLeases() throws Exception {
    AdminSupport sql = dialect.admin();
    Instant now = clock.instant();
    RelayHeartbeat a = new RelayHeartbeat(11, "relay-a", "host-1", now, now, null, 0);
    RelayHeartbeat b =
        new RelayHeartbeat(
            22,
            "relay-b",
            "host-2",
            now.minusSeconds(7200),
            now.minusSeconds(7200),
            now.minusSeconds(7300),
            3);
    try (Connection c = dataSource.getConnection()) {
      sql.heartbeat(c, tables, a);
      sql.heartbeat(c, tables, b);
      sql.heartbeat(
          c, tables, new RelayHeartbeat(11, "relay-a", "host-1", now, now.plusSeconds(5), now, 4));
      assertThat(sql.relays(c, tables, now.minusSeconds(60)))
          .containsExactly(new RelayView(11, "relay-a", "host-1", now, now.plusSeconds(5), now, 4));
      assertThat(sql.relays(c, tables, Instant.EPOCH)).hasSize(2);
    }

    long id = rowIds(enlistMany(1, "t", "k")).get(0);
    update(
        "lease_token = ?, lease_until = ? WHERE id = ?",
        new UUID(11, 99),
        PostgresDialect.utc(now.plusSeconds(30)),
        id);
    assertThat(admin.key("k").head().orElseThrow().leaseOwner()).isEqualTo("relay-a@host-1");
    assertThat(admin.pending(MessageFilter.any(), null, 10).items().get(0).leaseOwner())
        .isEqualTo("relay-a@host-1");
    assertThat(admin.overview().relays()).extracting(RelayView::name).containsExactly("relay-a");

    try (Connection c = dataSource.getConnection()) {
      sql.heartbeat(c, tables, new RelayHeartbeat(33, "relay-c", "host-3", now, now, null, 0));
      sql.leave(c, tables, 11, now.minusSeconds(3600));
      assertThat(sql.relays(c, tables, Instant.EPOCH))
          .as("its own row and the stale one are gone")
          .extracting(RelayView::instance)
          .containsExactly(33L);
    }
  }

  @Test
  void aRunningRelayReportsItselfAndItsLeasesNameIt() throws Exception {
    enlistMany(1, "t", "k");
    RecordingSender sender =
        new RecordingSender().answering(r -> Outcome.retry(r, new Exception("no")));
    OutboxRelay relay = closeAfterTest(relayBuilder(sender).name("reporter").build());
    relay.runOnce();
    List<RelayView> relays = admin.overview().relays();
    assertThat(relays).extracting(RelayView::name).containsExactly("reporter");
    assertThat(relays.get(0).instance()).isNotZero();
    relay.close();
    assertThat(admin.overview().relays()).as("removed when it closes").isEmpty();
  }

  private static <T> java.util.stream.Collector<T, ?, T> onlyOne() {
    return java.util.stream.Collectors.collectingAndThen(
        java.util.stream.Collectors.toList(),
        list -> {
          assertThat(list).hasSize(1);
          return list.get(0);
        });
  }
}
