package dev.outbox.spi;

import java.time.Instant;
import java.util.Set;
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
 * @param perKey whether to claim per key: for each key taken, a run of its oldest pending messages
 *     (see {@link OutboxDialect#claim})
 * @param keyCursor with {@code perKey}, the key the previous claim stopped at (from {@link
 *     ClaimResult#keyCursor()}): keys are visited in key order starting after it, so that every key
 *     gets its turn; null to start at the first key
 * @param unkeyedFirst with {@code perKey}, whether messages without a key get the first share of
 *     the batch (true) or what the keyed runs leave (false); the relay alternates, so neither kind
 *     can starve the other
 * @param afterId without {@code perKey}, claim only messages with an id above this one; 0 for the
 *     oldest. A relay with batches in flight continues after the last id it claimed, so that each
 *     claim does not read past the rows it has leased itself; it starts over from the oldest when a
 *     claim comes back short and at least once a second
 * @param pausedTopics topics not to claim (never empty-string: when every topic is paused the relay
 *     does not claim at all). A paused message is treated like a message that is not due: with
 *     {@code perKey}, a key whose run reaches one stops there, so that no later message of the key
 *     is claimed ahead of it
 */
public record ClaimRequest(
    int batchSize,
    Instant now,
    UUID leaseToken,
    Instant leaseUntil,
    boolean perKey,
    String keyCursor,
    boolean unkeyedFirst,
    long afterId,
    Set<String> pausedTopics) {

  /** Checks the cursor and copies the paused topics. */
  public ClaimRequest {
    if (afterId < 0) {
      throw new IllegalArgumentException("afterId must be 0 or more, was " + afterId);
    }
    pausedTopics = pausedTopics == null ? Set.of() : Set.copyOf(pausedTopics);
  }

  /** A claim with no paused topic. */
  public ClaimRequest(
      int batchSize,
      Instant now,
      UUID leaseToken,
      Instant leaseUntil,
      boolean perKey,
      String keyCursor,
      boolean unkeyedFirst,
      long afterId) {
    this(
        batchSize, now, leaseToken, leaseUntil, perKey, keyCursor, unkeyedFirst, afterId, Set.of());
  }

  /** The same claim, leaving out {@code topics}. */
  public ClaimRequest withPausedTopics(Set<String> topics) {
    return new ClaimRequest(
        batchSize, now, leaseToken, leaseUntil, perKey, keyCursor, unkeyedFirst, afterId, topics);
  }

  /** A claim from the oldest message ({@code afterId} 0). */
  public ClaimRequest(
      int batchSize,
      Instant now,
      UUID leaseToken,
      Instant leaseUntil,
      boolean perKey,
      String keyCursor,
      boolean unkeyedFirst) {
    this(batchSize, now, leaseToken, leaseUntil, perKey, keyCursor, unkeyedFirst, 0);
  }

  /** A claim in id order, without per-key runs: {@link dev.outbox.Ordering#NONE}. */
  public static ClaimRequest unordered(
      int batchSize, Instant now, UUID leaseToken, Instant leaseUntil) {
    return unordered(batchSize, now, leaseToken, leaseUntil, 0);
  }

  /**
   * A claim in id order, without per-key runs, of messages with an id above {@code afterId}: {@link
   * dev.outbox.Ordering#NONE}.
   */
  public static ClaimRequest unordered(
      int batchSize, Instant now, UUID leaseToken, Instant leaseUntil, long afterId) {
    return new ClaimRequest(batchSize, now, leaseToken, leaseUntil, false, null, false, afterId);
  }
}
