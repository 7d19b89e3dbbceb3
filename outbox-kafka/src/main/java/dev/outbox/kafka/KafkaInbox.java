package dev.outbox.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The consumer side of {@link KafkaSender}: reads the outbox message id a record carries, for
 * {@code dev.outbox.inbox.Inbox}, which applies a record's effect once however often Kafka delivers
 * it.
 *
 * <pre>{@code
 * for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
 *   inbox.process("billing", KafkaInbox.messageId(record), tx -> bill(tx, record.value()));
 * }
 * consumer.commitSync();
 * }</pre>
 */
public final class KafkaInbox {
  private KafkaInbox() {}

  /**
   * The outbox message id of {@code record}: the UTF-8 text of its {@value
   * KafkaSender#MESSAGE_ID_HEADER} header (the last one, if there are several).
   *
   * @throws IllegalArgumentException if the record has no such header, or an empty one, naming the
   *     record's topic, partition and offset
   */
  public static String messageId(ConsumerRecord<?, ?> record) {
    Objects.requireNonNull(record, "record must not be null");
    Header header = record.headers().lastHeader(KafkaSender.MESSAGE_ID_HEADER);
    if (header == null || header.value() == null || header.value().length == 0) {
      throw new IllegalArgumentException(
          "the Kafka record at "
              + record.topic()
              + "-"
              + record.partition()
              + "@"
              + record.offset()
              + (header == null ? " has no '" : " has an empty '")
              + KafkaSender.MESSAGE_ID_HEADER
              + "' header: it was not sent by an outbox's KafkaSender, so it has no message id to"
              + " deduplicate on");
    }
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}
