package dev.outbox.spi;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The outcomes of one claimed batch, to be written by {@link OutboxDialect#ack}. Every statement
 * must be fenced by {@code leaseToken}: rows no longer carrying it were reclaimed by another relay
 * after the lease expired and must be left unchanged.
 *
 * @param leaseToken the token the batch was claimed with
 * @param now the relay clock's current time (sent_at, dead_at)
 * @param sent ids delivered: mark them sent
 * @param retries ids to reschedule
 * @param dead ids to move to the dead-letter table
 * @param createdFrom the oldest {@code created_at} among the batch's rows, or null when unknown
 * @param createdTo the newest {@code created_at} among the batch's rows, or null when unknown. With
 *     both bounds a dialect can restrict its statements to the partitions that hold the batch
 *     instead of looking each id up in every partition, which costs more the longer the history
 *     kept.
 */
public record AckBatch(
    UUID leaseToken,
    Instant now,
    List<Long> sent,
    List<Retry> retries,
    List<Dead> dead,
    Instant createdFrom,
    Instant createdTo) {

  /**
   * @throws IllegalArgumentException if only one bound is given, or they are the wrong way round
   */
  public AckBatch {
    if ((createdFrom == null) != (createdTo == null)) {
      throw new IllegalArgumentException(
          "createdFrom and createdTo go together, were " + createdFrom + " and " + createdTo);
    }
    if (createdFrom != null && createdFrom.isAfter(createdTo)) {
      throw new IllegalArgumentException(
          "createdFrom " + createdFrom + " is after createdTo " + createdTo);
    }
  }

  /** A batch whose rows' creation times are not known: every partition is looked at. */
  public AckBatch(
      UUID leaseToken, Instant now, List<Long> sent, List<Retry> retries, List<Dead> dead) {
    this(leaseToken, now, sent, retries, dead, null, null);
  }

  /**
   * A message to try again.
   *
   * @param id the row id
   * @param nextAttemptAt when it becomes due again
   * @param error the failure, stored as {@code last_error}
   * @param uncharged whether the failure was not the message's own, so the attempt its claim
   *     counted is given back ({@code attempts - 1}) and it is never dead-lettered for it: it was
   *     held back behind an earlier message of its key in the same batch, or the broker was away
   *     for the whole batch
   */
  public record Retry(long id, Instant nextAttemptAt, String error, boolean uncharged) {}

  /**
   * A message to dead-letter.
   *
   * @param id the row id
   * @param reason why it is dead, stored with the dead letter
   */
  public record Dead(long id, String reason) {}

  /** Whether there is nothing to write. */
  public boolean isEmpty() {
    return sent.isEmpty() && retries.isEmpty() && dead.isEmpty();
  }
}
