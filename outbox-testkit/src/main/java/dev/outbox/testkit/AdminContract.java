package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.admin.TopicCounts;
import dev.outbox.spi.ClaimRequest;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link OutboxAdmin} must do on every database: the overview's counts, listing with filters
 * and cursors, replay (back to pending, delivered again, in its key's order), purge (exactly what
 * matched), a key's diagnosis and its actions, and pause and resume, honoured by relays in this JVM
 * and in others.
 */
public abstract class AdminContract extends OutboxContractSupport {

  /** An admin on this test's tables and clock. */
  protected OutboxAdmin admin() {
    return OutboxAdmin.builder(dataSource, dialect).tables(tables).clock(clock).build();
  }

  /** A sender that answers by payload: "dead…" dead, "retry…" retry, anything else sent. */
  private static RecordingSender byPayload() {
    return new RecordingSender()
        .answering(
            r -> {
              String p = r.payloadAsString();
              if (p.startsWith("dead")) {
                return Outcome.dead(r, "refused: " + p);
              }
              if (p.startsWith("retry")) {
                return Outcome.retry(r, new IllegalStateException("broker says no to " + p));
              }
              return Outcome.sent(r);
            });
  }

  private OutboxRelay relay(RecordingSender sender, Ordering ordering, int batch) {
    return closeAfterTest(relayBuilder(sender).ordering(ordering).batchSize(batch).build());
  }

  private static List<String> payloads(List<OutboxRecord> records) {
    return records.stream().map(OutboxRecord::payloadAsString).toList();
  }

  private static TopicCounts topic(Overview o, String topic) {
    return o.topics().stream()
        .filter(t -> t.topic().equals(topic))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no topic " + topic + " in " + o.topics()));
  }

  /** Leases the oldest due message, as a relay that crashed would have left it. */
  private List<OutboxRecord> leaseOldest(int n) throws Exception {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      return dialect
          .claim(
              c,
              tables,
              ClaimRequest.unordered(n, now, UUID.randomUUID(), now.plus(Duration.ofMinutes(5))))
          .records();
    }
  }

  @Test
  void overviewCountsTopicsByState() throws Exception {
    enlist(
        OutboxMessage.of("a", "k1", "retry-1"),
        OutboxMessage.of("a", "k2", "ok-1"),
        OutboxMessage.of("b", null, "dead-1"));
    drain(relay(byPayload(), Ordering.PER_KEY, 100));
    enlist(OutboxMessage.of("c", "k3", "later"), OutboxMessage.of("c", "k4", "due"));
    assertThat(payloads(leaseOldest(1))).containsExactly("later");

    Overview o = admin().overview();

    assertThat(o.pending()).isEqualTo(3);
    assertThat(o.deadLetters()).isEqualTo(1);
    assertThat(o.topics()).extracting(TopicCounts::topic).containsExactly("a", "b", "c");
    TopicCounts a = topic(o, "a");
    assertThat(List.of(a.due(), a.leased(), a.waiting(), a.dead(), a.sentRecently()))
        .containsExactly(0L, 0L, 1L, 0L, 1L);
    TopicCounts b = topic(o, "b");
    assertThat(List.of(b.due(), b.leased(), b.waiting(), b.dead())).containsExactly(0L, 0L, 0L, 1L);
    TopicCounts c = topic(o, "c");
    assertThat(List.of(c.due(), c.leased(), c.waiting())).containsExactly(1L, 1L, 0L);
    assertThat(o.attempts()).containsEntry(0, 1L).containsEntry(1, 2L);
    // An hour on, the oldest pending message (enlisted by the database clock, now) is an hour old.
    Duration age =
        OutboxAdmin.builder(dataSource, dialect)
            .tables(tables)
            .clock(java.time.Clock.offset(clock, Duration.ofHours(1)))
            .build()
            .overview()
            .oldestPendingAge();
    assertThat(age).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));
    assertThat(o.paused()).isEmpty();
  }

  @Test
  void pendingIsListedWithFiltersAndCursors() throws Exception {
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      messages.add(OutboxMessage.of("t", "k-" + (i % 5), "m-" + i));
    }
    messages.add(OutboxMessage.of("other", null, "retry-x"));
    enlist(messages.toArray(OutboxMessage[]::new));
    // Only the "other" message is claimed, and fails.
    admin().pause("t", null);
    drain(relay(byPayload(), Ordering.PER_KEY, 100));
    admin().resume("t");
    OutboxAdmin admin = admin();

    List<Long> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Page<MessageView> page = admin.pending(MessageFilter.any().withTopic("t"), cursor, 10);
      page.items().forEach(m -> seen.add(m.id()));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);
    assertThat(seen).hasSize(25).isSorted().doesNotHaveDuplicates();
    assertThat(pages).isEqualTo(3);

    List<MessageView> k1 = admin.pending(MessageFilter.any().withKey("k-1"), null, 100).items();
    assertThat(k1).hasSize(5).allMatch(m -> m.key().equals("k-1") && m.topic().equals("t"));
    assertThat(k1).extracting(MessageView::id).isSorted();

    List<MessageView> waiting =
        admin.pending(MessageFilter.any().withState(MessageState.WAITING), null, 100).items();
    assertThat(waiting).singleElement().satisfies(m -> assertThat(m.topic()).isEqualTo("other"));
    assertThat(waiting.get(0).lastError()).contains("broker says no to retry-x");
    assertThat(waiting.get(0).attempts()).isEqualTo(1);
    assertThat(admin.pending(MessageFilter.any().withErrorContaining("says no"), null, 100).items())
        .extracting(MessageView::id)
        .containsExactly(waiting.get(0).id());
    assertThat(admin.pending(MessageFilter.any().withState(MessageState.DUE), null, 100).items())
        .hasSize(25);
    assertThat(admin.pending(MessageFilter.any().withTopic("nope"), null, 100).items()).isEmpty();

    MessageView first = admin.message(seen.get(0)).orElseThrow();
    assertThat(first.state()).isEqualTo(MessageState.DUE);
    assertThat(admin.messagesById(first.messageId()))
        .singleElement()
        .satisfies(m -> assertThat(m.id()).isEqualTo(first.id()));
    assertThat(admin.message(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void aReplayedDeadLetterIsDeliveredAgainAndLeavesTheDeadLetters() throws Exception {
    List<UUID> ids = enlist(OutboxMessage.of("orders", "o-1", "dead-first"));
    drain(relay(byPayload(), Ordering.PER_KEY, 100));
    OutboxAdmin admin = admin();
    DeadLetterView dead =
        admin.deadLetters(DeadLetterFilter.none(), null, 10).items().stream()
            .findFirst()
            .orElseThrow();
    assertThat(dead.messageId()).isEqualTo(ids.get(0));
    assertThat(dead.reason()).contains("refused: dead-first");
    assertThat(dead.replayCount()).isZero();

    Change dry = admin.replay(DeadLetterFilter.ids(dead.id()), true);
    assertThat(dry.rows()).isEqualTo(1);
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.sample()).containsExactly(dead.id());
    assertThat(deadRows()).isEqualTo(1);
    assertThat(rowsWithStatus(0)).isZero();

    Change done = admin.replay(DeadLetterFilter.ids(dead.id()), false);
    assertThat(done.rows()).isEqualTo(1);
    assertThat(deadRows()).isZero();
    MessageView back = admin.messagesById(ids.get(0)).get(0);
    assertThat(back.state()).isEqualTo(MessageState.DUE);
    assertThat(back.attempts()).isZero();
    assertThat(back.id()).isEqualTo(dead.originalId());

    // Delivered again; then it dies again and its replay count says it was replayed once.
    RecordingSender again = new RecordingSender();
    drain(relay(again, Ordering.PER_KEY, 100));
    assertThat(again.received()).extracting(OutboxRecord::messageId).containsExactly(ids.get(0));
    assertThat(again.received().get(0).attempt()).isEqualTo(1);

    List<UUID> second = enlist(OutboxMessage.of("orders", "o-2", "dead-second"));
    drain(relay(byPayload(), Ordering.PER_KEY, 100));
    DeadLetterView died = admin.deadLetters(DeadLetterFilter.none(), null, 10).items().get(0);
    admin.replay(DeadLetterFilter.ids(died.id()), false);
    drain(relay(byPayload(), Ordering.PER_KEY, 100));
    DeadLetterView twice = admin.deadLetters(DeadLetterFilter.none(), null, 10).items().get(0);
    assertThat(twice.messageId()).isEqualTo(second.get(0));
    assertThat(twice.replayCount()).isEqualTo(1);
  }

  @Test
  void aReplayKeepsItsKeysOrderUnlessToldToGoLast() throws Exception {
    enlist(OutboxMessage.of("orders", "o-1", "dead-1"), OutboxMessage.of("other", "x", "dead-x"));
    drain(relay(byPayload(), Ordering.PER_KEY, 100));
    enlist(OutboxMessage.of("orders", "o-1", "after-1"), OutboxMessage.of("other", "x", "after-x"));
    OutboxAdmin admin = admin();

    // o-1 goes back to its place, ahead of the message enlisted after it; x goes to the end.
    assertThat(admin.replay(DeadLetterFilter.none().withKey("o-1"), false).rows()).isEqualTo(1);
    assertThat(
            admin.replay(DeadLetterFilter.none().withKey("x"), ReplayPlacement.END, false).rows())
        .isEqualTo(1);

    RecordingSender sender = new RecordingSender();
    drain(relay(sender, Ordering.PER_KEY, 1));
    List<String> o1 =
        sender.received().stream()
            .filter(r -> "o-1".equals(r.key()))
            .map(OutboxRecord::payloadAsString)
            .toList();
    List<String> x =
        sender.received().stream()
            .filter(r -> "x".equals(r.key()))
            .map(OutboxRecord::payloadAsString)
            .toList();
    assertThat(o1).containsExactly("dead-1", "after-1");
    assertThat(x).containsExactly("after-x", "dead-x");
  }

  @Test
  void purgeRemovesExactlyWhatMatched() throws Exception {
    enlist(
        OutboxMessage.of("a", null, "dead-a1"),
        OutboxMessage.of("a", null, "dead-a2"),
        OutboxMessage.of("a", null, "dead-a3"),
        OutboxMessage.of("b", null, "dead-b1"),
        OutboxMessage.of("b", "kb", "dead-b2"));
    drain(relay(byPayload(), Ordering.NONE, 100));
    OutboxAdmin admin = admin();
    assertThat(deadRows()).isEqualTo(5);

    assertThatThrownBy(() -> admin.purge(DeadLetterFilter.none(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DeadLetterFilter.all()");
    Change dry = admin.purge(DeadLetterFilter.none().withTopic("a"), true);
    assertThat(dry.rows()).isEqualTo(3);
    assertThat(deadRows()).isEqualTo(5);

    assertThat(admin.purge(DeadLetterFilter.none().withTopic("a"), false).rows()).isEqualTo(3);
    assertThat(admin.deadLetters(DeadLetterFilter.none(), null, 100).items())
        .extracting(DeadLetterView::topic)
        .containsOnly("b")
        .hasSize(2);
    assertThat(admin.purge(DeadLetterFilter.none().withReasonContaining("b2"), false).rows())
        .isEqualTo(1);
    Instant later = clock.instant().plusSeconds(1);
    assertThat(admin.purge(DeadLetterFilter.none().withDeadSince(later), false).rows()).isZero();
    assertThat(admin.purge(DeadLetterFilter.none().withDeadBefore(later), false).rows())
        .isEqualTo(1);
    assertThat(deadRows()).isZero();
    assertThat(rowsWithStatus(0)).isZero();
  }

  @Test
  void deadLettersAreListedNewestFirstWithFiltersAndCursors() throws Exception {
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      messages.add(OutboxMessage.of(i % 2 == 0 ? "even" : "odd", "k" + i, "dead-" + i));
    }
    enlist(messages.toArray(OutboxMessage[]::new));
    drain(relay(byPayload(), Ordering.NONE, 100));
    OutboxAdmin admin = admin();
    Page<DeadLetterView> first = admin.deadLetters(DeadLetterFilter.none(), null, 5);
    assertThat(first.items()).hasSize(5);
    assertThat(first.items())
        .extracting(DeadLetterView::id)
        .isSortedAccordingTo((x, y) -> -x.compareTo(y));
    Page<DeadLetterView> rest = admin.deadLetters(DeadLetterFilter.none(), first.nextCursor(), 100);
    assertThat(rest.items()).hasSize(7);
    assertThat(rest.nextCursor()).isNull();
    assertThat(admin.deadLetters(DeadLetterFilter.none().withTopic("odd"), null, 100).items())
        .hasSize(6)
        .allMatch(d -> d.topic().equals("odd"));
    assertThat(admin.deadLetters(DeadLetterFilter.none().withKey("k3"), null, 100).items())
        .singleElement()
        .satisfies(d -> assertThat(d.deadAt()).isNotNull());
    long id = first.items().get(0).id();
    assertThat(admin.deadLetter(id)).get().extracting(DeadLetterView::id).isEqualTo(id);
    assertThatThrownBy(() -> admin.deadLetters(DeadLetterFilter.none(), "not-a-cursor", 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cursor");
    assertThatThrownBy(() -> admin.deadLetters(DeadLetterFilter.none(), null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void aDeadLetterShowsItsPayloadCutToThePreviewAndAListingReadsNone() throws Exception {
    byte[] text = "{\"order\": 42}\n\tdone".getBytes(StandardCharsets.UTF_8);
    byte[] binary = {0, 1, (byte) 0xff, (byte) 0xfe, 0x7f, 'a'};
    byte[] large = new byte[OutboxAdmin.PAYLOAD_PREVIEW_BYTES * 3 + 17];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) (i % 251);
    }
    enlist(
        OutboxMessage.of("p", "text", text),
        OutboxMessage.of("p", "binary", binary),
        OutboxMessage.of("p", "large", large));
    drain(
        relay(
            new RecordingSender().answering(r -> Outcome.dead(r, "refused")), Ordering.NONE, 100));
    OutboxAdmin admin = admin();
    List<DeadLetterView> listed = admin.deadLetters(DeadLetterFilter.none(), null, 10).items();
    assertThat(listed).hasSize(3).allMatch(d -> d.payloadPreview() == null && !d.payloadCut());
    for (DeadLetterView d : listed) {
      DeadLetterView shown = admin.deadLetter(d.id()).orElseThrow();
      byte[] payload = d.key().equals("text") ? text : d.key().equals("binary") ? binary : large;
      int cut = Math.min(payload.length, OutboxAdmin.PAYLOAD_PREVIEW_BYTES);
      assertThat(shown.payloadSize()).isEqualTo(payload.length);
      assertThat(shown.payloadPreview()).isEqualTo(Arrays.copyOf(payload, cut));
      assertThat(shown.payloadCut()).isEqualTo(payload == large);
    }
  }

  @Test
  void aMessageReadByIdShowsItsPayloadCutAndListingsReadNone() throws Exception {
    byte[] large = new byte[OutboxAdmin.PAYLOAD_PREVIEW_BYTES + 1];
    Arrays.fill(large, (byte) 0x80);
    UUID messageId = enlist(OutboxMessage.of("p", "k", large)).get(0);
    OutboxAdmin admin = admin();
    MessageView listed = admin.pending(MessageFilter.any(), null, 10).items().get(0);
    assertThat(listed.payloadPreview()).isNull();
    assertThat(admin.key("k").head()).get().satisfies(h -> assertThat(h.payloadPreview()).isNull());
    byte[] expected = Arrays.copyOf(large, OutboxAdmin.PAYLOAD_PREVIEW_BYTES);
    MessageView shown = admin.message(listed.id()).orElseThrow();
    assertThat(shown.payloadSize()).isEqualTo(large.length);
    assertThat(shown.payloadPreview()).isEqualTo(expected);
    assertThat(admin.messagesById(messageId))
        .singleElement()
        .satisfies(m -> assertThat(m.payloadPreview()).isEqualTo(expected));
  }

  @Test
  void theKeyDiagnosisNamesTheHeadAndItsActionsMoveIt() throws Exception {
    enlist(
        OutboxMessage.of("orders", "order-42", "retry-head"),
        OutboxMessage.of("orders", "order-42", "second"),
        OutboxMessage.of("orders", "order-42", "third"),
        OutboxMessage.of("orders", "order-7", "fine"));
    drain(relay(byPayload(), Ordering.PER_KEY, 100));
    OutboxAdmin admin = admin();

    KeyDiagnosis d = admin.key("order-42");
    MessageView head = d.head().orElseThrow();
    assertThat(head.topic()).isEqualTo("orders");
    assertThat(head.state()).isEqualTo(MessageState.WAITING);
    assertThat(head.attempts()).isEqualTo(1);
    assertThat(head.lastError()).contains("broker says no to retry-head");
    assertThat(head.nextAttemptAt()).isAfter(clock.instant());
    assertThat(d.pending()).isEqualTo(3);
    assertThat(d.verdict()).contains("waits for attempt 2").contains("2 more wait behind it");
    assertThat(admin.key("order-7").head()).isEmpty();

    assertThat(admin.retryKey("order-42", true).rows()).isEqualTo(1);
    assertThat(admin.retryKey("order-42", false).rows()).isEqualTo(1);
    assertThat(admin.key("order-42").head().orElseThrow().state()).isEqualTo(MessageState.DUE);
    assertThat(admin.retryKey("order-42", true).rows()).as("due already").isZero();
    assertThat(admin.retryKey("order-42", false).rows()).as("due already").isZero();

    Change dry = admin.deadLetterKeyHead("order-42", "poison", true);
    assertThat(dry.rows()).isEqualTo(1);
    assertThat(dry.sample()).containsExactly(head.id());
    assertThat(admin.key("order-42").head().orElseThrow().id()).isEqualTo(head.id());
    assertThat(admin.deadLetterKeyHead("order-42", "poison", false).rows()).isEqualTo(1);
    KeyDiagnosis after = admin.key("order-42");
    assertThat(after.head().orElseThrow().id()).isGreaterThan(head.id());
    assertThat(after.pending()).isEqualTo(2);
    assertThat(after.deadLetters()).isEqualTo(1);
    assertThat(admin.deadLetters(DeadLetterFilter.none().withKey("order-42"), null, 10).items())
        .singleElement()
        .satisfies(x -> assertThat(x.reason()).isEqualTo("poison"));

    // A leased head is left to its relay.
    assertThat(leaseOldest(1)).hasSize(1);
    KeyDiagnosis leased = admin.key("order-42");
    assertThat(leased.head().orElseThrow().state()).isEqualTo(MessageState.LEASED);
    assertThat(leased.verdict()).contains("being sent");
    assertThat(admin.retryKey("order-42", false).rows()).isZero();
    assertThat(admin.deadLetterKeyHead("order-42", null, false).rows()).isZero();
    assertThat(admin.key("order-42").pending()).isEqualTo(2);
  }

  @Test
  void aLeaseNamesItsRelayAndRelaysShowInTheOverview() throws Exception {
    enlist(OutboxMessage.of("orders", "order-1", "held"));
    BlockingSender blocking = new BlockingSender();
    OutboxRelay relay = closeAfterTest(relayBuilder(blocking).name("holding-relay").build());
    relay.start();
    try {
      blocking.awaitBatch(Duration.ofSeconds(10));
      OutboxAdmin admin = admin();
      MessageView head = admin.key("order-1").head().orElseThrow();
      assertThat(head.state()).isEqualTo(MessageState.LEASED);
      assertThat(head.leaseOwner()).startsWith("holding-relay@");
      assertThat(admin.overview().relays())
          .anySatisfy(r -> assertThat(r.name()).isEqualTo("holding-relay"));
    } finally {
      blocking.release();
      relay.close();
    }
    assertThat(admin().overview().relays()).noneMatch(r -> r.name().equals("holding-relay"));
  }

  @Test
  void aPausedTopicIsNotClaimedAndHoldsItsKeysUntilResumed() throws Exception {
    enlist(
        OutboxMessage.of("paused", "k", "p-1"),
        OutboxMessage.of("live", "k", "l-1"),
        OutboxMessage.of("live", "other", "l-2"),
        OutboxMessage.of("paused", null, "p-2"),
        OutboxMessage.of("live", null, "l-3"));
    OutboxAdmin admin = admin();
    admin.pause("paused", "broker maintenance");
    assertThat(admin.paused())
        .singleElement()
        .satisfies(p -> assertThat(p.reason()).isEqualTo("broker maintenance"));

    RecordingSender perKey = new RecordingSender();
    drain(relay(perKey, Ordering.PER_KEY, 100));
    // k's head is paused: l-1 waits behind it; the other key and the unkeyed live message go.
    assertThat(payloads(perKey.received())).containsExactlyInAnyOrder("l-2", "l-3");
    Overview o = admin.overview();
    assertThat(topic(o, "paused").paused()).isTrue();
    assertThat(topic(o, "live").paused()).isFalse();
    assertThat(admin.key("k").paused()).isTrue();
    assertThat(admin.key("k").verdict()).contains("paused");

    assertThat(admin.resume("paused")).isTrue();
    assertThat(admin.resume("paused")).isFalse();
    drain(relay(perKey, Ordering.PER_KEY, 100));
    assertThat(payloads(perKey.received())).containsSubsequence("p-1", "l-1").hasSize(5);
  }

  @Test
  void withoutKeyOrderAPausedTopicIsSkippedAndPauseAllStopsEverything() throws Exception {
    enlist(OutboxMessage.of("paused", "k", "p-1"), OutboxMessage.of("live", "k", "l-1"));
    OutboxAdmin admin = admin();
    admin.pause("paused", null);
    RecordingSender sender = new RecordingSender();
    drain(relay(sender, Ordering.NONE, 100));
    assertThat(payloads(sender.received())).containsExactly("l-1");

    admin.resume("paused");
    admin.pauseAll("freeze");
    assertThat(admin.paused()).singleElement().satisfies(p -> assertThat(p.allTopics()).isTrue());
    assertThat(admin.overview().allPaused()).isTrue();
    drain(relay(sender, Ordering.NONE, 100));
    assertThat(sender.received()).hasSize(1);

    assertThat(admin.resumeAll()).isTrue();
    drain(relay(sender, Ordering.NONE, 100));
    assertThat(payloads(sender.received())).containsExactly("l-1", "p-1");
  }

  @Test
  void aPauseReachesARunningRelayWithinAPollInterval() throws Exception {
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender, Ordering.PER_KEY, 100);
    relay.start();
    OutboxAdmin admin = admin();
    admin.pause("orders", null);
    Thread.sleep(200); // four poll intervals of 50 ms: the relay has read the pause
    enlist(OutboxMessage.of("orders", "a", "o-1"), OutboxMessage.of("audit", "b", "a-1"));
    sender.awaitReceived(1, Duration.ofSeconds(10));
    Thread.sleep(200);
    assertThat(payloads(sender.received())).containsExactly("a-1");
    admin.resume("orders");
    sender.awaitReceived(2, Duration.ofSeconds(10));
    assertThat(payloads(sender.received())).containsExactly("a-1", "o-1");
  }

  @Test
  void aPauseStopsRelaysInOtherJvmsWithinAPollIntervalAndResumeRestartsThem(@TempDir Path dir)
      throws Exception {
    Path sentA = dir.resolve("a.txt");
    Path sentB = dir.resolve("b.txt");
    Process a = RelayProcess.startDelivering(db, dialect, tables, sentA);
    Process b = RelayProcess.startDelivering(db, dialect, tables, sentB);
    try {
      List<UUID> warmUp = enlistMany(40, "live", null);
      await("both relays deliver")
          .atMost(Duration.ofMinutes(1))
          .until(() -> sentBoth(sentA, sentB).containsAll(warmUp));
      OutboxAdmin admin = admin();
      admin.pause("held", "test");
      // The relay processes poll every second (the default): one interval and some slack.
      Thread.sleep(1500);
      List<UUID> held = new ArrayList<>();
      List<UUID> live = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        held.addAll(enlist(OutboxMessage.of("held", "h-" + i, "h")));
        live.addAll(enlist(OutboxMessage.of("live", "l-" + i, "l")));
      }
      await("live messages delivered while held is paused")
          .atMost(Duration.ofMinutes(1))
          .until(() -> sentBoth(sentA, sentB).containsAll(live));
      Thread.sleep(1500);
      assertThat(sentBoth(sentA, sentB)).doesNotContainAnyElementsOf(held);
      assertThat(topic(admin.overview(), "held").due()).isEqualTo(20);
      assertThat(admin.overview().relays()).hasSizeGreaterThanOrEqualTo(2);

      admin.resume("held");
      await("held messages delivered after resume")
          .atMost(Duration.ofSeconds(30))
          .until(() -> sentBoth(sentA, sentB).containsAll(held));
    } finally {
      RelayProcess.kill(a);
      RelayProcess.kill(b);
    }
  }

  private static Set<UUID> sentBoth(Path a, Path b) throws Exception {
    Set<UUID> all = new java.util.HashSet<>(RelayProcess.sent(a));
    all.addAll(RelayProcess.sent(b));
    return all;
  }

  @Test
  void gaugesReportPausedTopicsAndTheBacklog() throws Exception {
    enlist(OutboxMessage.of("a", null, "x"), OutboxMessage.of("b", null, "y"));
    OutboxAdmin admin = admin();
    admin.pause("a", null);
    admin.pause("b", null);
    try (TestTelemetry telemetry = new TestTelemetry()) {
      AutoCloseable gauges = admin.registerGauges(telemetry.sdk());
      closeAfterTest(gauges);
      List<MetricData> metrics = new ArrayList<>(telemetry.metrics().collectAllMetrics());
      assertThat(longGauge(metrics, "outbox.topics.paused")).isEqualTo(2);
      assertThat(longGauge(metrics, "outbox.backlog.pending")).isEqualTo(2);
      assertThat(longGauge(metrics, "outbox.dead_letters")).isZero();
    }
  }

  private static long longGauge(List<MetricData> metrics, String name) {
    return metrics.stream()
        .filter(m -> m.getName().equals(name))
        .flatMap(m -> m.getLongGaugeData().getPoints().stream())
        .mapToLong(LongPointData::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no gauge " + name));
  }

  @Test
  void badInputIsRefusedWithAClearMessage() {
    OutboxAdmin admin = admin();
    assertThatThrownBy(() -> admin.replay(DeadLetterFilter.none(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one criterion");
    assertThatThrownBy(() -> admin.pause(" ", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> admin.key(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> admin.pending(MessageFilter.any(), null, OutboxAdmin.MAX_PAGE + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
    assertThatThrownBy(() -> admin.overview(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sentWindow");
    assertThatThrownBy(() -> MessageFilter.any().withState(MessageState.SENT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pending state");
  }
}
