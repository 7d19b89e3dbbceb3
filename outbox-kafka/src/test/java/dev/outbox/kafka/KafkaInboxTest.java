package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class KafkaInboxTest {

  @Test
  void aRecordWithoutTheHeaderIsRefusedNamingWhereItIs() {
    ConsumerRecord<String, String> record = new ConsumerRecord<>("orders", 2, 41L, "k", "v");
    assertThatThrownBy(() -> KafkaInbox.messageId(record))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("orders-2@41")
        .hasMessageContaining("has no 'message-id' header");
  }

  @Test
  void anEmptyHeaderIsRefused() {
    ConsumerRecord<String, String> record = new ConsumerRecord<>("orders", 0, 7L, "k", "v");
    record.headers().add(KafkaSender.MESSAGE_ID_HEADER, new byte[0]);
    assertThatThrownBy(() -> KafkaInbox.messageId(record))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("orders-0@7 has an empty 'message-id' header");
  }

  @Test
  void theLastHeaderIsTheMessageId() {
    ConsumerRecord<String, String> record = new ConsumerRecord<>("orders", 0, 7L, "k", "v");
    record.headers().add(KafkaSender.MESSAGE_ID_HEADER, "first".getBytes(StandardCharsets.UTF_8));
    record.headers().add(KafkaSender.MESSAGE_ID_HEADER, "last".getBytes(StandardCharsets.UTF_8));
    assertThat(KafkaInbox.messageId(record)).isEqualTo("last");
  }
}
