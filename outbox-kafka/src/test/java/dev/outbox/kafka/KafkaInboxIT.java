package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.inbox.Inbox;
import dev.outbox.kafka.testkit.EmbeddedKafka;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.testkit.RoundTrip;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link KafkaInbox} against the in-process broker: a message relayed by {@link KafkaSender} is
 * read back with its outbox message id, and a consumer that reads the topic twice (as after a
 * rebalance that lost its committed offsets) applies each message's effect once through an {@link
 * Inbox} on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaInboxIT {
  private static final String TOPIC = "outbox-inbox-it";

  private TestPostgres pg;
  private EmbeddedKafka kafka;

  @BeforeAll
  void start() throws Exception {
    pg = TestPostgres.create();
    kafka = EmbeddedKafka.start();
    kafka.createTopic(TOPIC, 1, Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void theConsumedRecordCarriesTheOutboxMessageIdAndARedeliveryIsAppliedOnce() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    List<UUID> ids =
        pg.enlist(
            TestPostgres.outbox(tables),
            OutboxMessage.of(TOPIC, "k", "one"),
            OutboxMessage.of(TOPIC, "k", "two"));
    try (KafkaSender sender = KafkaSender.builder(kafka.bootstrapServers()).name("inbox").build();
        OutboxRelay relay =
            RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).name("inbox").build()) {
      relay.start();
      List<ConsumerRecord<String, byte[]>> first = readTopic(2);
      assertThat(first).extracting(KafkaInbox::messageId).containsExactlyElementsOf(strings(ids));

      Inbox inbox =
          Inbox.builder(pg.dataSource(), pg.dialect()).table(pg.schema(), "inbox_kafka").build();
      inbox.migrate();
      AtomicInteger effects = new AtomicInteger();
      List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(first);
      all.addAll(readTopic(2)); // the same records delivered again
      for (ConsumerRecord<String, byte[]> r : all) {
        inbox.process("billing", KafkaInbox.messageId(r), tx -> effects.incrementAndGet());
      }
      assertThat(effects).hasValue(2);
    }
  }

  private static List<String> strings(List<UUID> ids) {
    return ids.stream().map(UUID::toString).toList();
  }

  /** Reads the topic from its start with a new consumer until {@code n} records have arrived. */
  private List<ConsumerRecord<String, byte[]>> readTopic(int n) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await(n + " records")
          .atMost(Duration.ofSeconds(60))
          .pollInSameThread()
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return records.size() >= n;
              });
    }
    return records;
  }
}
