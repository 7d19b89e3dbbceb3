package dev.outbox.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Carries the enlisting span across the outbox as W3C {@code traceparent}/{@code tracestate}
 * headers. The W3C propagator is used whatever the application configured, because the header names
 * are part of the outbox's contract with senders and consumers.
 */
public final class TraceHeaders {
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<Map<String, String>> GETTER =
      (carrier, key) -> carrier == null ? null : carrier.get(key);

  private TraceHeaders() {}

  /**
   * {@code headers} plus the current span's trace context, if a valid span is current; headers the
   * caller set itself win.
   */
  public static Map<String, String> withCurrentContext(Map<String, String> headers) {
    Context current = Context.current();
    if (!Span.fromContext(current).getSpanContext().isValid()) {
      return headers;
    }
    Map<String, String> result = new LinkedHashMap<>(headers);
    W3C.inject(current, result, (carrier, k, v) -> carrier.putIfAbsent(k, v));
    return result;
  }

  /** The span context stored in {@code headers}, or an invalid one when there is none. */
  public static SpanContext spanContext(Map<String, String> headers) {
    Context extracted = W3C.extract(Context.root(), headers, GETTER);
    return Span.fromContext(extracted).getSpanContext();
  }
}
