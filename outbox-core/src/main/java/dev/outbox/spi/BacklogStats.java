package dev.outbox.spi;

import java.time.Instant;

/**
 * A snapshot of an outbox's backlog, for gauges and operators.
 *
 * @param pending messages not yet sent (due, leased or waiting for a retry); a scheduled message
 *     counts from its time on, not while it waits for it
 * @param oldestPendingCreatedAt when the oldest of them was enlisted (for a scheduled message: the
 *     time it was scheduled for), or null when none is pending
 * @param deadLetters rows in the dead-letter table
 */
public record BacklogStats(long pending, Instant oldestPendingCreatedAt, long deadLetters) {}
