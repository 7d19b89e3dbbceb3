package dev.outbox;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Delivers batches of committed messages to a broker. Implement this for Kafka, RabbitMQ or
 * anything else; the relay calls it with no database transaction open.
 *
 * <p>{@link #send} returns at once and completes, when the broker has answered, with one {@link
 * Outcome} per record. The relay treats a record with no outcome, an exceptionally completed stage,
 * an exception thrown by {@code send} itself, or a stage that does not complete within the relay's
 * send timeout, as a retry for every record not reported otherwise. Outcomes for records that were
 * not in the batch are ignored. {@link BatchOutcomes} collects the answers of an asynchronous
 * broker client, from any thread, into that one stage.
 *
 * <p><b>Per-key order.</b> Under {@link Ordering#PER_KEY} (the default) the relay claims runs of a
 * key (several of its messages, in id order) but, by default, hands the sender at most one record
 * of a key at a time: a batch goes over in waves, and a key's next record joins a wave only once
 * the previous one was reported sent or dead. After a record is to be retried, the later records of
 * its key in the batch are not handed over at all; they stay pending, behind it, without losing an
 * attempt. So whatever a sender answers, record by record and in any order, a key's records reach
 * the broker in id order on their first delivery, and a record reported sent is never sent again
 * unless its outcome was lost (a crash, an expired lease). A batch of many keys is one wave; a run
 * of one key costs one call a record.
 *
 * <p>A sender may instead receive whole runs in one call by returning true from {@link
 * #acceptsRuns()}: see there for what it then promises.
 *
 * <p>Delivery is at least once: a message may be sent again after a crash, a lost acknowledgement
 * or a lease expiry, so put {@link OutboxRecord#messageId()} in the broker message and let
 * consumers deduplicate on it.
 *
 * <p>{@code send} may be called from several threads at once (a relay hands over the next wave of a
 * batch while it claims the next batch, and several relays may share a sender), so implementations
 * must be thread-safe. The relay does not close the sender: close it after the relay.
 */
@FunctionalInterface
public interface Sender {

  /**
   * Starts delivering {@code batch} (never empty, ordered by {@link OutboxRecord#id()}).
   *
   * @return a stage completing with the outcomes of the batch's records
   */
  CompletionStage<List<Outcome>> send(List<OutboxRecord> batch);

  /**
   * Whether this sender may be handed several records of one key in one batch (a run), under {@link
   * Ordering#PER_KEY}. Return true only if, for every key, the sender puts the batch's records of
   * that key on the broker in the order given, over one ordered path, and puts none on the broker
   * after one it reports as anything but {@linkplain Outcome#sent sent} or {@linkplain Outcome#dead
   * dead}: a record after a failed one must not reach the broker, and is best reported as retry.
   * The relay holds such records back whatever is reported for them, so if a sender breaks this
   * promise, the broker sees a key's later record before an earlier one and sees it again after it.
   *
   * <p>Default: false, and the relay hands over one record of a key at a time (see the class
   * description). Neither shipped sender returns true: a Kafka producer can fail one record of a
   * partition (a delivery timeout) and still deliver the next, and RabbitMQ can nack one message of
   * a channel and confirm the next.
   */
  default boolean acceptsRuns() {
    return false;
  }
}
