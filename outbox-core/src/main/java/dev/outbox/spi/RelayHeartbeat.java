package dev.outbox.spi;

import java.time.Instant;

/**
 * What a running relay reports about itself, every few seconds, into the relay table.
 *
 * @param instance the relay instance's id: the most significant half of each of its lease tokens
 * @param name the relay's configured name
 * @param host the host it runs on
 * @param startedAt when it started
 * @param seenAt now, on the relay's clock
 * @param lastClaimAt when it last claimed a non-empty batch, or null
 * @param inFlight messages it holds leased
 */
public record RelayHeartbeat(
    long instance,
    String name,
    String host,
    Instant startedAt,
    Instant seenAt,
    Instant lastClaimAt,
    int inFlight) {}
