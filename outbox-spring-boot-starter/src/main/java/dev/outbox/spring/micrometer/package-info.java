/**
 * The outbox's OpenTelemetry metrics as Micrometer meters: {@link
 * dev.outbox.spring.micrometer.MicrometerOpenTelemetry} is an {@code OpenTelemetry} whose meters
 * are registered in a {@code MeterRegistry}, handed to the outbox's relays and maintenance (not to
 * the application) when the application has Micrometer and no {@code OpenTelemetry} bean.
 */
package dev.outbox.spring.micrometer;
