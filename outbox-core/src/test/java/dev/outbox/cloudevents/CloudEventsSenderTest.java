package dev.outbox.cloudevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.outbox.BatchOutcomes;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The CloudEvents mapping and what the wrapper passes through; no broker here. */
class CloudEventsSenderTest {
  private static final URI SOURCE = URI.create("/orders-service");
  private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05.123456Z");

  /** Records what it is handed; sends every record, or retries those whose key is "fail". */
  private static final class Recording implements Sender, AutoCloseable {
    final List<List<OutboxRecord>> batches = new CopyOnWriteArrayList<>();
    boolean runs;
    boolean closed;

    @Override
    public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
      batches.add(batch);
      BatchOutcomes outcomes = new BatchOutcomes(batch);
      // Answered back to front, as an asynchronous client may.
      for (int i = batch.size() - 1; i >= 0; i--) {
        if ("fail".equals(batch.get(i).key())) {
          outcomes.retry(i, new IllegalStateException("broker said no"));
        } else {
          outcomes.sent(i);
        }
      }
      return outcomes.future();
    }

    @Override
    public boolean acceptsRuns() {
      return runs;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static OutboxRecord record(long id, String key, Map<String, String> headers) {
    return new OutboxRecord(
        id,
        UUID.nameUUIDFromBytes(("m" + id).getBytes(StandardCharsets.UTF_8)),
        "orders",
        key,
        ("{\"n\":" + id + "}").getBytes(StandardCharsets.UTF_8),
        headers,
        CREATED,
        1);
  }

  @Test
  void aKeyedRecordGetsEveryAttributeAsAKafkaHeaderAndKeepsItsOwnHeaders() {
    Recording delegate = new Recording();
    CloudEventsSender sender = CloudEventsSender.wrap(delegate).source(SOURCE).build();
    OutboxRecord r =
        record(1, "o-1", Map.of("content-type", "application/json", "traceparent", "00-abc-01"));

    sender.send(List.of(r)).toCompletableFuture().join();

    OutboxRecord sent = delegate.batches.get(0).get(0);
    assertThat(sent.headers())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "ce_specversion", "1.0",
                "ce_id", r.messageId().toString(),
                "ce_source", "/orders-service",
                "ce_type", "orders",
                "ce_subject", "o-1",
                "ce_time", "2026-01-02T03:04:05.123456Z",
                "content-type", "application/json",
                "traceparent", "00-abc-01"));
    assertThat(sent.id()).isEqualTo(r.id());
    assertThat(sent.messageId()).isEqualTo(r.messageId());
    assertThat(sent.topic()).isEqualTo(r.topic());
    assertThat(sent.key()).isEqualTo(r.key());
    assertThat(sent.payload()).isEqualTo(r.payload());
    assertThat(sent.createdAt()).isEqualTo(r.createdAt());
    assertThat(sent.attempt()).isEqualTo(r.attempt());
    assertThat(r.headers()).as("the record handed in is unchanged").hasSize(2);
  }

  @Test
  void anUnkeyedRecordHasNoSubjectAndTimeIsRfc3339InUtc() {
    CloudEventsSender sender = CloudEventsSender.wrap(new Recording()).source(SOURCE).build();
    OutboxRecord r =
        new OutboxRecord(
            2, UUID.randomUUID(), "t", null, new byte[0], Map.of(), Instant.ofEpochSecond(0), 1);

    OutboxRecord event = sender.toEvent(r);

    assertThat(event.headers()).doesNotContainKey("ce_subject");
    assertThat(event.headers()).containsEntry("ce_time", "1970-01-01T00:00:00Z");
  }

  @Test
  void theAmqpPresetAndATypeFromTheRecordAreUsed() {
    CloudEventsSender sender =
        CloudEventsSender.wrap(new Recording())
            .source(URI.create("https://example.com/orders"))
            .prefix(CloudEventsSender.AMQP)
            .typeFrom(r -> "com.example." + r.headers().get("type"))
            .build();

    OutboxRecord event = sender.toEvent(record(3, "o-3", Map.of("type", "order.created")));

    assertThat(event.headers())
        .containsEntry("cloudEvents_type", "com.example.order.created")
        .containsEntry("cloudEvents_source", "https://example.com/orders")
        .containsEntry("cloudEvents_specversion", "1.0")
        .containsEntry("cloudEvents_subject", "o-3")
        .containsEntry("type", "order.created")
        .doesNotContainKeys("ce_type", "ce_id");
  }

  @Test
  void anAttributeHeaderSetAtEnlistIsKept() {
    CloudEventsSender sender = CloudEventsSender.wrap(new Recording()).source(SOURCE).build();

    OutboxRecord event = sender.toEvent(record(4, "k", Map.of("ce_type", "com.example.special")));

    assertThat(event.headers()).containsEntry("ce_type", "com.example.special");
  }

  @Test
  void theDelegatesOutcomesComeBackForTheSameRecords() {
    Recording delegate = new Recording();
    CloudEventsSender sender = CloudEventsSender.wrap(delegate).source(SOURCE).build();
    List<OutboxRecord> batch =
        List.of(record(10, "a", Map.of()), record(11, "fail", Map.of()), record(12, "b", Map.of()));

    List<Outcome> outcomes = sender.send(batch).toCompletableFuture().join();

    assertThat(outcomes)
        .extracting(Outcome::recordId, Outcome::status)
        .containsExactly(
            tuple(10L, Outcome.Status.SENT),
            tuple(11L, Outcome.Status.RETRY),
            tuple(12L, Outcome.Status.SENT));
    assertThat(outcomes.get(1).reason()).contains("broker said no");
  }

  @Test
  void aRecordThatCannotBeMappedIsRetriedWithItsKeysLaterRecordsAndTheRestGoOn() {
    Recording delegate = new Recording();
    delegate.runs = true;
    CloudEventsSender sender =
        CloudEventsSender.wrap(delegate)
            .source(SOURCE)
            .typeFrom(
                r -> {
                  if (r.id() == 21) {
                    throw new IllegalArgumentException("no type for this one");
                  }
                  return r.id() == 24 ? " " : "t";
                })
            .build();
    List<OutboxRecord> batch =
        List.of(
            record(20, "a", Map.of()),
            record(21, "b", Map.of()),
            record(22, "b", Map.of()),
            record(23, "c", Map.of()),
            record(24, null, Map.of()));

    List<Outcome> outcomes = sender.send(batch).toCompletableFuture().join();

    assertThat(delegate.batches)
        .singleElement()
        .satisfies(b -> assertThat(b).extracting(OutboxRecord::id).containsExactly(20L, 23L));
    Map<Long, Outcome> byId = new LinkedHashMap<>();
    outcomes.forEach(o -> byId.put(o.recordId(), o));
    assertThat(byId).containsOnlyKeys(20L, 21L, 22L, 23L, 24L);
    assertThat(byId.get(20L).status()).isEqualTo(Outcome.Status.SENT);
    assertThat(byId.get(23L).status()).isEqualTo(Outcome.Status.SENT);
    assertThat(byId.get(21L).status()).isEqualTo(Outcome.Status.RETRY);
    assertThat(byId.get(21L).reason()).contains("typeFrom threw").contains("no type for this one");
    assertThat(byId.get(22L).status()).isEqualTo(Outcome.Status.RETRY);
    assertThat(byId.get(22L).reason()).contains("held back").contains("'b'");
    assertThat(byId.get(24L).status()).isEqualTo(Outcome.Status.RETRY);
    assertThat(byId.get(24L).reason()).contains("blank type");
    assertThat(byId.values()).noneMatch(Outcome::brokerUnavailable);
  }

  @Test
  void aBatchNoneOfWhichMapsNeverReachesTheDelegate() {
    Recording delegate = new Recording();
    CloudEventsSender sender =
        CloudEventsSender.wrap(delegate).source(SOURCE).typeFrom(r -> null).build();

    List<Outcome> outcomes =
        sender.send(List.of(record(30, "a", Map.of()))).toCompletableFuture().join();

    assertThat(delegate.batches).isEmpty();
    assertThat(outcomes)
        .singleElement()
        .satisfies(o -> assertThat(o.reason()).contains("typeFrom returned null"));
  }

  @Test
  void acceptsRunsAndCloseAreTheDelegates() {
    Recording delegate = new Recording();
    CloudEventsSender sender = CloudEventsSender.wrap(delegate).source(SOURCE).build();

    assertThat(sender.acceptsRuns()).isFalse();
    delegate.runs = true;
    assertThat(sender.acceptsRuns()).isTrue();
    sender.close();
    assertThat(delegate.closed).isTrue();
    assertThat(sender.delegate()).isSameAs(delegate);

    Sender notCloseable = batch -> new BatchOutcomes(new ArrayList<>(batch)).future();
    CloudEventsSender.wrap(notCloseable).source(SOURCE).build().close();
  }

  @Test
  void badSettingsAreRefusedNamingThem() {
    assertThatThrownBy(() -> CloudEventsSender.wrap(new Recording()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("source(URI)");
    assertThatThrownBy(() -> CloudEventsSender.wrap(new Recording()).source(URI.create("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source");
    assertThatThrownBy(() -> CloudEventsSender.wrap(new Recording()).prefix(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> CloudEventsSender.wrap(new Recording()).prefix("ce _"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ce _'");
    assertThatThrownBy(() -> CloudEventsSender.wrap(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("delegate");
  }
}
