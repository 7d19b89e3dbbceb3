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
   * The current span's trace context as W3C headers, or an empty map when no valid span is current.
   * Read it once per enlist call: it is the same for every message of the call.
   */
  public static Map<String, String> current() {
    Context current = Context.current();
    if (!Span.fromContext(current).getSpanContext().isValid()) {
      return Map.of();
    }
    Map<String, String> trace = new LinkedHashMap<>();
    W3C.inject(current, trace, Map::put);
    return trace;
  }

  /** {@code headers} plus the {@code trace} headers from {@link #current()}; the caller's win. */
  public static Map<String, String> with(Map<String, String> headers, Map<String, String> trace) {
    if (trace.isEmpty()) {
      return headers;
    }
    Map<String, String> result = new LinkedHashMap<>(headers);
    trace.forEach(result::putIfAbsent);
    return result;
  }

  /** The span context stored in {@code headers}, or an invalid one when there is none. */
  public static SpanContext spanContext(Map<String, String> headers) {
    Context extracted = W3C.extract(Context.root(), headers, GETTER);
    return Span.fromContext(extracted).getSpanContext();
  }
}
