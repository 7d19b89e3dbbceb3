package dev.outbox.internal;

import dev.outbox.Backoff;
import dev.outbox.Ordering;
import dev.outbox.OutboxTables;
import dev.outbox.RelayException;
import dev.outbox.Sender;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Settings and relay cycles on the {@link InMemoryDialect}, for the relay's unit tests. */
public final class Relays {
  static final Duration LEASE = Duration.ofSeconds(60);

  private Relays() {}

  /** Settings with the given options, and short pauses so loops react quickly. */
  static RelaySettings settings(
      Ordering ordering,
      Clock clock,
      int batchSize,
      int maxBatchesInFlight,
      int maxAttempts,
      Backoff backoff,
      Duration brokerPause) {
    return new RelaySettings(
        "unit",
        OutboxTables.defaults(),
        batchSize,
        maxBatchesInFlight,
        Duration.ofMillis(50),
        Duration.ZERO,
        LEASE,
        Duration.ofSeconds(30),
        maxAttempts,
        backoff,
        ordering,
        Duration.ofSeconds(5),
        brokerPause,
        brokerPause,
        clock,
        (name, e) -> {},
        3);
  }

  /** Settings with the given options and a broker pause of 1 second. */
  static RelaySettings settings(
      Ordering ordering,
      Clock clock,
      int batchSize,
      int maxBatchesInFlight,
      int maxAttempts,
      Backoff backoff) {
    return settings(
        ordering,
        clock,
        batchSize,
        maxBatchesInFlight,
        maxAttempts,
        backoff,
        Duration.ofSeconds(1));
  }

  /** {@code s} with {@code linger} instead of none. */
  static RelaySettings lingering(RelaySettings s, Duration linger) {
    return new RelaySettings(
        s.name(),
        s.tables(),
        s.batchSize(),
        s.maxBatchesInFlight(),
        s.pollInterval(),
        linger,
        s.leaseDuration(),
        s.sendTimeout(),
        s.maxAttempts(),
        s.backoff(),
        s.ordering(),
        s.shutdownTimeout(),
        s.brokerPause(),
        s.maxBrokerPause(),
        s.clock(),
        s.errorListener(),
        s.warnAfterAttempts());
  }

  /** Settings for one cycle at a time: batches of 10, no backoff, 10 attempts. */
  static RelaySettings settings(Ordering ordering, Clock clock) {
    return settings(ordering, clock, 10, 1, 10, Backoff.fixed(Duration.ZERO));
  }

  /** A relay cycle on {@code dialect} whose failures are added to {@code reports}. */
  static RelayCycle cycle(
      InMemoryDialect dialect,
      Sender sender,
      RelaySettings settings,
      List<RelayException> reports) {
    return new RelayCycle(
        new NoDatabase(),
        dialect,
        sender,
        settings,
        new RelayMetrics(OpenTelemetry.noop(), settings.name(), 3),
        new RelayTracing(OpenTelemetry.noop(), settings.name()),
        reports::add);
  }

  static RelayCycle cycle(InMemoryDialect dialect, Sender sender, RelaySettings settings) {
    return cycle(dialect, sender, settings, new CopyOnWriteArrayList<>());
  }

  /** Polls {@code condition} every few milliseconds until it holds; fails after 5 seconds. */
  public static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(2);
    }
  }
}
