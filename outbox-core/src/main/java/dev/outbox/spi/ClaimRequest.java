package dev.outbox.spi;

import java.time.Instant;
import java.util.UUID;

/**
 * What {@link OutboxDialect#claim} must claim and how to stamp it.
 *
 * @param batchSize the most messages to claim
 * @param now the relay clock's current time: messages with {@code next_attempt_at <= now} are due
 * @param leaseToken the token stamped on every claimed row; acks are fenced by it
 * @param leaseUntil when the lease expires; stored in {@code lease_until}. An unacknowledged claim
 *     becomes claimable again then and not before. The shipped dialects check {@code lease_until}
 *     in the claim's filter rather than moving {@code next_attempt_at}, so that a claim changes no
 *     indexed column
 * @param perKey whether to skip messages that have an older pending message with the same key
 */
public record ClaimRequest(
    int batchSize, Instant now, UUID leaseToken, Instant leaseUntil, boolean perKey) {}
