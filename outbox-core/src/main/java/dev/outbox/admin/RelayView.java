package dev.outbox.admin;

import java.time.Instant;

/**
 * A relay as it last reported itself (relays report every few seconds while they run and remove
 * their row when they close).
 *
 * @param instance the relay instance's id (also the first half of its lease tokens)
 * @param name the relay's configured name
 * @param host the host it runs on
 * @param startedAt when it started
 * @param seenAt when it last reported
 * @param lastClaimAt when it last claimed a non-empty batch, or null
 * @param inFlight messages it held leased when it last reported
 */
public record RelayView(
    long instance,
    String name,
    String host,
    Instant startedAt,
    Instant seenAt,
    Instant lastClaimAt,
    int inFlight) {}
