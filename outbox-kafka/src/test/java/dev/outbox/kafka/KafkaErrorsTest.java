package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/** Which Kafka errors are an outage, which the record's own problem. */
class KafkaErrorsTest {

  @Test
  void retriableErrorsOfTheClusterAreAnOutage() {
    assertThat(KafkaErrors.isUnavailable(new TimeoutException("Expiring 20 record(s)"))).isTrue();
    assertThat(KafkaErrors.isUnavailable(new NetworkException("connection lost"))).isTrue();
    assertThat(KafkaErrors.isUnavailable(new NotEnoughReplicasException("isr"))).isTrue();
  }

  @Test
  void aMissingTopicARejectedRecordOrAnAuthorizationFailureIsNot() {
    assertThat(KafkaErrors.isUnavailable(new UnknownTopicOrPartitionException("no topic")))
        .isFalse();
    assertThat(
            KafkaErrors.isUnavailable(
                new TimeoutException("Topic t not present in metadata after 60000 ms.")))
        .isFalse();
    assertThat(KafkaErrors.isUnavailable(new RecordTooLargeException("big"))).isFalse();
    assertThat(KafkaErrors.isUnavailable(new TopicAuthorizationException("denied"))).isFalse();
  }
}
