package dev.outbox.internal;

import dev.outbox.Backoff;
import dev.outbox.Ordering;
import dev.outbox.OutboxTables;
import dev.outbox.RelayErrorListener;
import java.time.Clock;
import java.time.Duration;

/** A relay's validated, immutable configuration; see {@code OutboxRelay.Builder} for each one. */
public record RelaySettings(
    String name,
    OutboxTables tables,
    int batchSize,
    int maxBatchesInFlight,
    Duration pollInterval,
    Duration linger,
    Duration leaseDuration,
    Duration sendTimeout,
    int maxAttempts,
    Backoff backoff,
    Ordering ordering,
    Duration shutdownTimeout,
    Duration brokerPause,
    Duration maxBrokerPause,
    Clock clock,
    RelayErrorListener errorListener,
    int warnAfterAttempts) {}
