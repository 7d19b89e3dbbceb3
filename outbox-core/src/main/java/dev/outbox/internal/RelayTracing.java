package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The relay's spans: one INTERNAL span per batch, and under it one PRODUCER span per message,
 * linked to the span that was current when the message was enlisted (from its stored {@code
 * traceparent}).
 */
public final class RelayTracing {
  static final AttributeKey<Long> BATCH_SIZE =
      AttributeKey.longKey("messaging.batch.message_count");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("outbox.attempt");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outbox.outcome");

  /** The {@link #OUTCOME} of each status, by ordinal: its name in lower case. */
  private static final String[] OUTCOME_NAMES =
      Arrays.stream(Outcome.Status.values())
          .map(s -> s.name().toLowerCase(Locale.ROOT))
          .toArray(String[]::new);

  private final Tracer tracer;
  private final String relayName;

  /** Creates the tracer on {@code openTelemetry}. */
  public RelayTracing(OpenTelemetry openTelemetry, String relayName) {
    this.tracer = openTelemetry.getTracer(RelayMetrics.SCOPE);
    this.relayName = relayName;
  }

  /** Starts the span of one batch. */
  public Span startBatch(int size) {
    return tracer
        .spanBuilder("outbox relay batch")
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(RelayMetrics.RELAY, relayName)
        .setAttribute(BATCH_SIZE, (long) size)
        .startSpan();
  }

  /** Starts the PRODUCER span of each record, children of {@code batch}, in the batch's order. */
  public List<Span> startSends(List<OutboxRecord> records, Span batch) {
    Context parent = Context.root().with(batch);
    List<Span> spans = new ArrayList<>(records.size());
    for (OutboxRecord r : records) {
      spans.add(startSend(r, parent));
    }
    return spans;
  }

  private Span startSend(OutboxRecord r, Context parent) {
    SpanBuilder builder =
        tracer
            .spanBuilder("send " + r.topic())
            .setSpanKind(SpanKind.PRODUCER)
            .setParent(parent)
            .setAttribute(RelayMetrics.DESTINATION, r.topic())
            .setAttribute(MESSAGE_ID, r.messageId().toString())
            .setAttribute(ATTEMPT, (long) r.attempt());
    SpanContext enlisted = TraceHeaders.spanContext(r.headers());
    if (enlisted.isValid()) {
      builder.addLink(enlisted);
    }
    return builder.startSpan();
  }

  /** Ends a message span with its outcome. */
  public static void end(Span span, Outcome outcome) {
    span.setAttribute(OUTCOME, OUTCOME_NAMES[outcome.status().ordinal()]);
    if (outcome.status() != Outcome.Status.SENT) {
      span.setStatus(StatusCode.ERROR, outcome.reason());
    }
    span.end();
  }
}
