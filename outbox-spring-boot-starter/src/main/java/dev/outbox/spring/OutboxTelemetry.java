package dev.outbox.spring;

import io.opentelemetry.api.OpenTelemetry;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the outbox's relays, maintenance and enlists record their metrics and traces: the
 * application's {@code OpenTelemetry} bean if it has one; else, with Micrometer, an {@code
 * OpenTelemetry} whose meters are registered in the application's {@code MeterRegistry}; else
 * {@code GlobalOpenTelemetry}. Only the outbox uses it; it is not an {@code OpenTelemetry} bean.
 */
public final class OutboxTelemetry {
  private final OpenTelemetry openTelemetry;

  private OutboxTelemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
  }

  /** Records to {@code openTelemetry}. */
  public static OutboxTelemetry of(OpenTelemetry openTelemetry) {
    return new OutboxTelemetry(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /** Records to {@code GlobalOpenTelemetry}, the core library's default. */
  public static OutboxTelemetry global() {
    return new OutboxTelemetry(null);
  }

  /** The {@code OpenTelemetry} to hand the outbox's builders; empty for their default. */
  public Optional<OpenTelemetry> openTelemetry() {
    return Optional.ofNullable(openTelemetry);
  }
}
