package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.Backoff;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Sender;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The broker tests' round trip: enlist many messages with keys and headers, relay them through a
 * real sender, consume them back and check that each arrived intact and in per-key order.
 */
public final class RoundTrip {
  /** Messages per round trip. */
  public static final int MESSAGES = 1000;

  /** Distinct keys; each carries MESSAGES / KEYS messages in sequence. */
  public static final int KEYS = 50;

  /** The span current while enlisting; its W3C traceparent must reach the consumer. */
  public static final SpanContext ENLIST_SPAN =
      SpanContext.create(
          "0af7651916cd43dd8448eb211c80319c",
          "b7ad6b7169203331",
          TraceFlags.getSampled(),
          TraceState.getDefault());

  /** {@link #ENLIST_SPAN} as a W3C traceparent header. */
  public static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private RoundTrip() {}

  /**
   * What was enlisted for one message.
   *
   * @param messageId the outbox message id
   * @param key the ordering key
   * @param seq the message's place among its key's messages
   * @param payload the payload text
   */
  public record Expected(UUID messageId, String key, int seq, String payload) {}

  /**
   * What a consumer got, in consumption order.
   *
   * @param messageId the message id the broker message carried
   * @param key the key (Kafka key, AMQP routing key)
   * @param headers the headers, as text
   * @param payload the payload text
   */
  public record Received(
      String messageId, String key, Map<String, String> headers, String payload) {}

  /**
   * Enlists {@code n} messages for {@code topic} in ten committed transactions, while {@link
   * #ENLIST_SPAN} is current; returns what was enlisted by message id.
   */
  public static Map<UUID, Expected> enlist(DataSource ds, JdbcOutbox outbox, String topic, int n)
      throws SQLException {
    Map<UUID, Expected> expected = new LinkedHashMap<>();
    Map<String, Integer> nextSeq = new HashMap<>();
    Scope scope = Span.wrap(ENLIST_SPAN).makeCurrent();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      for (int tx = 0; tx < 10; tx++) {
        List<Expected> batch = new ArrayList<>();
        List<OutboxMessage> messages = new ArrayList<>();
        for (int i = tx * n / 10; i < (tx + 1) * n / 10; i++) {
          String key = "key-" + (i % KEYS);
          int seq = nextSeq.merge(key, 1, Integer::sum);
          String payload = "payload-" + i;
          messages.add(
              OutboxMessage.builder(topic)
                  .key(key)
                  .payload(payload)
                  .header("type", "order.created")
                  .header("seq", Integer.toString(seq))
                  .build());
          batch.add(new Expected(null, key, seq, payload));
        }
        List<UUID> ids = outbox.addAll(c, messages);
        c.commit();
        for (int i = 0; i < ids.size(); i++) {
          Expected e = batch.get(i);
          expected.put(ids.get(i), new Expected(ids.get(i), e.key(), e.seq(), e.payload()));
        }
      }
    } finally {
      scope.close();
    }
    return expected;
  }

  /**
   * A relay for the broker tests: short poll interval and backoff, and attempts enough to ride out
   * an outage of a few seconds without dead-lettering anything. The send timeout stays at its
   * default (30 s), above the senders' own delivery timeouts, as the README advises.
   */
  public static OutboxRelay.Builder relay(
      DataSource ds, OutboxDialect dialect, OutboxTables tables, Sender sender) {
    return OutboxRelay.builder(ds, dialect, sender)
        .tables(tables)
        .pollInterval(Duration.ofMillis(100))
        .backoff(Backoff.exponential(Duration.ofMillis(50), Duration.ofMillis(500)))
        .maxAttempts(1000)
        .shutdownTimeout(Duration.ofSeconds(10));
  }

  /**
   * {@link #relay} with a retry schedule an outage of a few seconds outlasts many times over
   * (batches of 20, 2 attempts 100 ms apart) and a broker pause of 200 ms up to 1 s: without the
   * circuit breaker such an outage would dead-letter every message it meets.
   */
  public static OutboxRelay.Builder shortRetryRelay(
      DataSource ds, OutboxDialect dialect, OutboxTables tables, Sender sender) {
    return relay(ds, dialect, tables, sender)
        .batchSize(20)
        .maxAttempts(2)
        .backoff(Backoff.fixed(Duration.ofMillis(100)))
        .brokerPause(Duration.ofMillis(200), Duration.ofSeconds(1));
  }

  /** The distinct message ids in {@code received}. */
  public static Set<String> distinctIds(List<Received> received) {
    return received.stream().map(Received::messageId).collect(Collectors.toSet());
  }

  /**
   * Checks that every expected message arrived with its message id, key, headers (the trace context
   * included) and payload, that nothing else arrived, and that each key's messages were first
   * consumed in enlist order: no message arrives before every earlier one of its key has arrived
   * once. Redeliveries may repeat any earlier message, as at-least-once allows: a run whose
   * acknowledgement was lost with the broker's connection comes again from its first message.
   */
  public static void assertAllArrivedInKeyOrder(
      Map<UUID, Expected> expected, List<Received> received) {
    assertAllArrivedIntact(expected, received);
    Map<String, Integer> highestSeq = new HashMap<>();
    for (Received r : received) {
      Expected e = expected.get(UUID.fromString(r.messageId()));
      int highest = highestSeq.getOrDefault(e.key(), 0);
      assertThat(e.seq())
          .as(
              "%s seq %d consumed before seq %d of the same key ever was",
              e.key(), e.seq(), highest + 1)
          .isLessThanOrEqualTo(highest + 1);
      highestSeq.put(e.key(), Math.max(highest, e.seq()));
    }
  }

  /** Every expected message id arrived, nothing else did, and each copy is the message enlisted. */
  private static void assertAllArrivedIntact(
      Map<UUID, Expected> expected, List<Received> received) {
    Set<String> expectedIds =
        expected.keySet().stream().map(UUID::toString).collect(Collectors.toSet());
    assertThat(distinctIds(received)).as("message ids that arrived").isEqualTo(expectedIds);
    for (Received r : received) {
      Expected e = expected.get(UUID.fromString(r.messageId()));
      assertThat(r.key()).as("key of %s", r.messageId()).isEqualTo(e.key());
      assertThat(r.payload()).as("payload of %s", r.messageId()).isEqualTo(e.payload());
      assertThat(r.headers())
          .as("headers of %s", r.messageId())
          .containsEntry("type", "order.created")
          .containsEntry("seq", Integer.toString(e.seq()))
          .containsEntry("traceparent", TRACEPARENT);
    }
  }
}
