package dev.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.Backoff;
import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** How a batch is handed to the sender: in waves of one record a key unless it accepts runs. */
class BatchSenderTest {

  private static String name(OutboxRecord r) {
    return new String(r.payload(), StandardCharsets.UTF_8);
  }

  private static List<OutboxRecord> batch(String... keysAndNames) {
    List<OutboxRecord> batch = new ArrayList<>();
    for (int i = 0; i < keysAndNames.length; i++) {
      String name = keysAndNames[i];
      String key = name.startsWith("-") ? null : name.substring(0, 1);
      batch.add(
          new OutboxRecord(
              i + 1,
              UUID.randomUUID(),
              "t",
              key,
              name.getBytes(StandardCharsets.UTF_8),
              Map.of(),
              Instant.EPOCH,
              1));
    }
    return batch;
  }

  private static BatchSender.Sent send(Sender sender, Ordering ordering, List<OutboxRecord> batch)
      throws InterruptedException {
    RelaySettings settings =
        new RelaySettings(
            "test",
            new OutboxTables(null, "outbox_message"),
            100,
            1,
            Duration.ofSeconds(1),
            Duration.ZERO,
            Duration.ofSeconds(60),
            Duration.ofSeconds(10),
            10,
            Backoff.fixed(Duration.ZERO),
            ordering,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Clock.systemUTC(),
            null,
            3);
    BatchSender batchSender =
        new BatchSender(
            sender,
            settings,
            new RelayMetrics(OpenTelemetry.noop(), "test", 3),
            new RelayTracing(OpenTelemetry.noop(), "test"),
            e -> {});
    return batchSender.start(batch).await();
  }

  private static Map<String, Outcome.Status> statuses(
      List<OutboxRecord> batch, BatchSender.Sent sent) {
    Map<String, Outcome.Status> byName = new java.util.TreeMap<>();
    for (int i = 0; i < batch.size(); i++) {
      byName.put(name(batch.get(i)), sent.outcomes().get(i).status());
    }
    return byName;
  }

  @Test
  void aKeysNextRecordIsHandedOverOnlyAfterThePreviousOneWasSent() throws Exception {
    ScriptedSender sender = new ScriptedSender(Outcome::sent, false);
    List<OutboxRecord> batch = batch("a1", "b1", "a2", "-x", "a3", "b2");
    BatchSender.Sent sent = send(sender, Ordering.PER_KEY, batch);
    assertThat(sender.calls)
        .containsExactly(List.of("a1", "b1", "-x"), List.of("a2", "b2"), List.of("a3"));
    assertThat(sent.outcomes()).allMatch(o -> o.status() == Outcome.Status.SENT);
    assertThat(sent.notHanded()).isEmpty();
    assertThat(sent.brokerAway()).isFalse();
  }

  @Test
  void aRetriedRecordStopsItsKeyAndTheRecordsBehindItAreNeverHandedOver() throws Exception {
    ScriptedSender sender =
        new ScriptedSender(
            r -> name(r).equals("a2") ? Outcome.retry(r, new IllegalStateException()) : sent(r),
            false);
    List<OutboxRecord> batch = batch("a1", "b1", "a2", "b2", "a3", "b3", "a4");
    BatchSender.Sent sent = send(sender, Ordering.PER_KEY, batch);
    assertThat(sender.calls)
        .containsExactly(List.of("a1", "b1"), List.of("a2", "b2"), List.of("b3"));
    assertThat(sent.notHanded()).containsExactlyInAnyOrder(5L, 7L);
    assertThat(statuses(batch, sent))
        .containsEntry("a2", Outcome.Status.RETRY)
        .containsEntry("b3", Outcome.Status.SENT);
  }

  @Test
  void aDeadRecordDoesNotStopItsKey() throws Exception {
    ScriptedSender sender =
        new ScriptedSender(r -> name(r).equals("a1") ? Outcome.dead(r, "poison") : sent(r), false);
    BatchSender.Sent sent = send(sender, Ordering.PER_KEY, batch("a1", "a2"));
    assertThat(sender.calls).containsExactly(List.of("a1"), List.of("a2"));
    assertThat(sent.notHanded()).isEmpty();
  }

  @Test
  void aFirstWaveThatFindsTheBrokerAwayFailsTheWholeBatchAndHandsNothingMore() throws Exception {
    ScriptedSender sender =
        new ScriptedSender(r -> Outcome.retry(r, new IOException("connection refused")), false);
    List<OutboxRecord> batch = batch("a1", "a2", "b1");
    BatchSender.Sent sent = send(sender, Ordering.PER_KEY, batch);
    assertThat(sender.calls).containsExactly(List.of("a1", "b1"));
    assertThat(sent.brokerAway()).isTrue();
    assertThat(sent.outcomes()).hasSize(3).allMatch(o -> o.status() == Outcome.Status.RETRY);
  }

  @Test
  void aSenderThatAcceptsRunsGetsTheWholeBatchAtOnce() throws Exception {
    ScriptedSender sender = new ScriptedSender(Outcome::sent, true);
    send(sender, Ordering.PER_KEY, batch("a1", "a2", "a3"));
    assertThat(sender.calls).containsExactly(List.of("a1", "a2", "a3"));
  }

  @Test
  void withoutOrderingTheWholeBatchGoesAtOnce() throws Exception {
    ScriptedSender sender = new ScriptedSender(Outcome::sent, false);
    send(sender, Ordering.NONE, batch("a1", "a2", "a3"));
    assertThat(sender.calls).containsExactly(List.of("a1", "a2", "a3"));
  }

  private static Outcome sent(OutboxRecord r) {
    return Outcome.sent(r);
  }
}
