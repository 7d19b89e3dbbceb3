package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Counters count exactly what was committed; send spans link to the enlisting span. */
public abstract class TelemetryContract extends OutboxContractSupport {
  private TestTelemetry telemetry;

  @BeforeEach
  final void installSdk() {
    telemetry = new TestTelemetry();
  }

  @AfterEach
  final void closeSdk() {
    telemetry.close();
  }

  /** Counters count exactly what was committed. */
  @Test
  public final void countersCountExactlyWhatWasCommitted() throws Exception {
    outbox = outboxBuilder().openTelemetry(telemetry.sdk()).build();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      outbox.add(c, OutboxMessage.of("orders", "d", "rolled back"));
      c.rollback();
      outbox.add(c, OutboxMessage.of("orders", "a", "ok"));
      outbox.add(c, OutboxMessage.of("orders", "b", "flaky"));
      outbox.add(c, OutboxMessage.of("orders", "c", "poison"));
      c.commit();
    }
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r ->
                    switch (r.payloadAsString()) {
                      case "ok" -> Outcome.sent(r);
                      case "flaky" -> Outcome.retry(r, new IOException("timeout"));
                      default -> Outcome.dead(r, "poison");
                    });
    OutboxRelay relay = closeAfterTest(relayBuilder(sender).openTelemetry(telemetry.sdk()).build());
    assertThat(sum("outbox.messages.added")).as("nothing counted before a claim").isZero();

    assertThat(relay.runOnce()).isEqualTo(3);

    assertThat(sum("outbox.messages.enlisted")).isEqualTo(4);
    assertThat(sum("outbox.messages.added")).isEqualTo(3);
    assertThat(sum("outbox.messages.sent")).isEqualTo(1);
    assertThat(sum("outbox.messages.failed")).isEqualTo(2);
    assertThat(sum("outbox.messages.retried")).isEqualTo(1);
    assertThat(sum("outbox.messages.dead")).isEqualTo(1);

    clock.advance(Duration.ofMinutes(10));
    sender.answering(Outcome::sent);
    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(sum("outbox.messages.added")).as("a retry is not a new message").isEqualTo(3);
    assertThat(sum("outbox.messages.sent")).isEqualTo(2);
  }

  /** Ack fenced off by a newer claim counts nothing. */
  @Test
  public final void ackFencedOffByANewerClaimCountsNothing() throws Exception {
    enlist(OutboxMessage.of("orders", "k", "x"));
    ackAfterTheLease(new BlockingSender());
    assertThat(sum("outbox.messages.sent")).isZero();
    assertThat(sum("outbox.messages.failed")).isZero();
    assertThat(sum("outbox.acks.fenced")).isEqualTo(1);
  }

  /** Late ack refused by the fence is counted and overwrites nothing. */
  @Test
  public final void lateAckRefusedByTheFenceIsCountedAndOverwritesNothing() throws Exception {
    enlist(
        OutboxMessage.of("orders", "a", "1"),
        OutboxMessage.of("orders", "b", "2"),
        OutboxMessage.of("orders", null, "3"));
    BlockingSender slow =
        new BlockingSender().answering(r -> Outcome.retry(r, new IOException("late")));
    assertThat(ackAfterTheLease(slow)).isEqualTo(3);

    assertThat(sum("outbox.acks.fenced")).isEqualTo(3);
    assertThat(sum("outbox.messages.retried")).isZero();
    assertThat(rowsWithStatus(1)).as("the late retry overwrote nothing").isEqualTo(3);
  }

  /**
   * A relay sends through {@code slow}, its lease expires meanwhile, a second relay claims and
   * sends the batch, then {@code slow} answers and the first relay acknowledges; returns what the
   * first relay's cycle claimed.
   */
  private int ackAfterTheLease(BlockingSender slow) throws Exception {
    CompletableFuture<Integer> cycle =
        cycleOutlivingItsLease(relayBuilder(slow).openTelemetry(telemetry.sdk()), slow);
    int batch = slow.awaitBatch(Duration.ofSeconds(10)).size();
    assertThat(closeAfterTest(relayBuilder(new RecordingSender()).build()).runOnce())
        .as("the second relay claims the whole batch again")
        .isEqualTo(batch);
    slow.release();
    return cycle.get();
  }

  /** Send span links to the span current at enlist time. */
  @Test
  public final void sendSpanLinksToTheSpanCurrentAtEnlistTime() throws Exception {
    Span checkout = telemetry.sdk().getTracer("test").spanBuilder("checkout").startSpan();
    Scope scope = checkout.makeCurrent();
    try {
      enlist(OutboxMessage.of("orders", "k", "x"));
    } finally {
      scope.close();
      checkout.end();
    }
    closeAfterTest(relayBuilder(new RecordingSender()).openTelemetry(telemetry.sdk()).build())
        .runOnce();

    SpanData send =
        telemetry.spans().getFinishedSpanItems().stream()
            .filter(s -> s.getKind() == SpanKind.PRODUCER)
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no PRODUCER span: " + telemetry.spans().getFinishedSpanItems()));
    assertThat(send.getName()).isEqualTo("send orders");
    SpanContext enlisted = checkout.getSpanContext();
    assertThat(send.getLinks())
        .extracting(LinkData::getSpanContext)
        .anySatisfy(
            link -> {
              assertThat(link.getTraceId()).isEqualTo(enlisted.getTraceId());
              assertThat(link.getSpanId()).isEqualTo(enlisted.getSpanId());
            });
    SpanData batch =
        telemetry.spans().getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals("outbox relay batch"))
            .findFirst()
            .orElseThrow();
    assertThat(send.getParentSpanId()).isEqualTo(batch.getSpanId());
  }

  private long sum(String name) {
    return telemetry.metrics().collectAllMetrics().stream()
        .filter(m -> m.getName().equals(name))
        .map(MetricData::getLongSumData)
        .flatMap(d -> d.getPoints().stream())
        .mapToLong(LongPointData::getValue)
        .sum();
  }
}
