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

  /** Starts the PRODUCER span of one message, a child of {@code batch}. */
  public Span startSend(OutboxRecord r, Span batch) {
    SpanBuilder builder =
        tracer
            .spanBuilder("send " + r.topic())
            .setSpanKind(SpanKind.PRODUCER)
            .setParent(Context.root().with(batch))
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
    span.setAttribute(OUTCOME, outcome.status().name().toLowerCase(java.util.Locale.ROOT));
    if (outcome.status() != Outcome.Status.SENT) {
      span.setStatus(StatusCode.ERROR, outcome.reason());
    }
    span.end();
  }
}
