package dev.outbox.spi;

import java.time.Instant;

/**
 * A snapshot of an outbox's backlog, for gauges and operators.
 *
 * @param pending messages not yet sent (due, leased or waiting for a retry)
 * @param oldestPendingCreatedAt when the oldest of them was enlisted, or null when none is pending
 * @param deadLetters rows in the dead-letter table
 */
public record BacklogStats(long pending, Instant oldestPendingCreatedAt, long deadLetters) {}
