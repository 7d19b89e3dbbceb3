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
 * <p><b>Runs of one key.</b> Under {@link Ordering#PER_KEY} a batch may hold several records of one
 * key, in id order (a run). Deliver them to the broker in that order over one ordered path (one
 * Kafka partition, one AMQP channel). When one of them fails, the later records of its key in the
 * batch are held back: whatever the sender reports for them, the relay records none of them as
 * sent, hands them over again after the failed one, and does not count the attempt against them. So
 * a sender that can tell in time should not deliver them at all and report them as retry; one that
 * pipelines the run may have delivered them already, and the broker then sees them again after the
 * earlier record (a duplicate, as at least once allows).
 *
 * <p>Delivery is at least once: a message may be sent again after a crash, a lost acknowledgement
 * or a lease expiry, so put {@link OutboxRecord#messageId()} in the broker message and let
 * consumers deduplicate on it.
 *
 * <p>One relay calls {@code send} from one thread at a time, but several relays may share a sender,
 * so implementations must be thread-safe. The relay does not close the sender: close it after the
 * relay.
 */
@FunctionalInterface
public interface Sender {

  /**
   * Starts delivering {@code batch} (never empty, ordered by {@link OutboxRecord#id()}).
   *
   * @return a stage completing with the outcomes of the batch's records
   */
  CompletionStage<List<Outcome>> send(List<OutboxRecord> batch);
}
