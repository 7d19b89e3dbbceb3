package dev.outbox.spi;

import java.util.Set;

/**
 * Which rows of an {@link AckBatch} were actually written: a row is missing when its lease had been
 * taken over by another relay.
 *
 * @param sent ids marked sent
 * @param retried ids rescheduled
 * @param dead ids moved to the dead-letter table
 */
public record AckResult(Set<Long> sent, Set<Long> retried, Set<Long> dead) {}
