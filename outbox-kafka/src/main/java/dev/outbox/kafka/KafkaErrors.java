package dev.outbox.kafka;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Tells the Kafka errors that no retry can fix from those worth retrying. */
final class KafkaErrors {
  private KafkaErrors() {}

  /**
   * Whether {@code error} rejects the record itself, so sending it again can never succeed: it is
   * too large, its topic name is invalid, or the broker refused its contents. Everything else
   * (retriable errors, timeouts, authorization, a closed producer) is a condition an operator or
   * time can fix, so those records are retried and dead-lettered only after {@code maxAttempts}.
   */
  static boolean isPermanent(Throwable error) {
    return error instanceof RecordTooLargeException
        || error instanceof RecordBatchTooLargeException
        || error instanceof InvalidTopicException
        || error instanceof InvalidRecordException
        || error instanceof SerializationException;
  }

  /**
   * Whether {@code error} says the cluster could not take the record for now, whatever the record:
   * a {@link RetriableException} (a request or delivery timeout, a lost connection, no leader, too
   * few in-sync replicas). A batch that fails only this way is an outage, for which the relay
   * pauses without counting attempts. A topic that does not exist (unknown, or its metadata never
   * came) is the message's problem, not an outage: those records are retried with their attempts
   * counted, so they end as dead letters instead of pausing the relay for good.
   */
  static boolean isUnavailable(Throwable error) {
    return error instanceof RetriableException
        && !(error instanceof UnknownTopicOrPartitionException)
        && !isMetadataTimeout(error);
  }

  /** Whether {@code error} says the producer gave up waiting for the topic's metadata. */
  static boolean isMetadataTimeout(Throwable error) {
    return error instanceof org.apache.kafka.common.errors.TimeoutException
        && error.getMessage() != null
        && error.getMessage().contains("metadata");
  }
}
