package dev.outbox.kafka;

import static dev.outbox.testkit.EffectOnce.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OnDuplicate;
import dev.outbox.Sender;
import dev.outbox.kafka.testkit.EmbeddedKafka;
import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.EffectOnce;
import dev.outbox.testkit.RelayProcess;
import dev.outbox.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Effect exactly once through the in-process Kafka broker, on PostgreSQL and on MariaDB ({@link
 * EffectOnce}): orders placed with idempotency keys and retried requests ({@link
 * OnDuplicate#RETURN_FIRST}, the order row written only if absent), relay processes with a {@link
 * KafkaSender} killed with SIGKILL mid-batch, so that the topic holds some messages twice, and a
 * consumer that applies each record's effect through the inbox in one transaction with the record,
 * committing its offsets after. The consumer also crashes once, {@value #CRASH_AFTER} records after
 * its offset commit, so the next one reads those records again. Each order's effect is applied
 * exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaEffectOnceIT {
  /** Records the consumer processes after its one offset commit before it crashes. */
  private static final int CRASH_AFTER = 50;

  private EmbeddedKafka kafka;

  @BeforeAll
  void start() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  /** The relay processes' sender: a {@link KafkaSender} on the bootstrap servers given. */
  public static final class Senders implements RelayProcess.SenderFactory {
    @Override
    public Sender create(String bootstrapServers) {
      return KafkaSender.builder(bootstrapServers).name("effect-once").build();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"postgresql", "mariadb"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void eachOrdersEffectOnceThoughRelaysDieMidBatchAndTheConsumerCrashes(String database)
      throws Exception {
    String topic = "effect-once-" + UUID.randomUUID();
    kafka.createTopic(topic, 3, Map.of());
    try (TestDatabase db = database(database);
        EffectOnce e2e = new EffectOnce("kafka " + database, db, OnDuplicate.RETURN_FIRST);
        Billing billing = new Billing(topic, e2e)) {
      e2e.placeOrders(topic);
      billing.start();
      e2e.relayKilledMidBatch(Senders.class, kafka.bootstrapServers());
      e2e.assertEffectOnce(billing.drain());
      assertThat(billing.readAgain.get())
          .as("records read again after the consumer crashed before committing its offsets")
          .isGreaterThanOrEqualTo(CRASH_AFTER);
    }
  }

  private static TestDatabase database(String name) {
    return name.equals("mariadb") ? MySqlTestDatabase.create() : PostgresTestDatabase.create();
  }

  /**
   * The consumer, on a thread of its own: polls, hands each record to {@link EffectOnce#consume},
   * then commits the offsets. The first consumer commits only once, after a third of the orders'
   * records, and closes without committing {@value #CRASH_AFTER} or more records later (a crash
   * between its transactions and its offset commit): the next consumer of its group reads those
   * again. Remembers the message id at each offset: the topic's copies.
   */
  private final class Billing implements AutoCloseable {
    private final EffectOnce e2e;
    private final List<TopicPartition> partitions;
    private final String group = "billing-" + UUID.randomUUID();
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final Map<String, String> copies = new ConcurrentHashMap<>();
    private final AtomicInteger readAgain = new AtomicInteger();
    private volatile boolean drain;
    private Future<?> run;

    Billing(String topic, EffectOnce e2e) {
      this.e2e = e2e;
      this.partitions =
          List.of(
              new TopicPartition(topic, 0),
              new TopicPartition(topic, 1),
              new TopicPartition(topic, 2));
    }

    void start() {
      run =
          thread.submit(
              () -> {
                consumeUntilDrained();
                return null;
              });
    }

    /**
     * Lets the consumer finish once it has read to the end of the topic (every message is recorded
     * as sent by now, so the topic is complete); returns the message id of each copy on it.
     */
    List<String> drain() throws Exception {
      drain = true;
      run.get(30, TimeUnit.SECONDS);
      return List.copyOf(copies.values());
    }

    private void consumeUntilDrained() throws Exception {
      KafkaConsumer<String, byte[]> consumer = open();
      boolean crashed = false;
      int read = 0;
      int committedAt = -1;
      Map<TopicPartition, Long> end = null;
      try {
        while (true) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            String id = KafkaInbox.messageId(r);
            if (copies.put(r.topic() + "/" + r.partition() + "/" + r.offset(), id) != null) {
              readAgain.incrementAndGet();
            }
            e2e.consume(id, new String(r.value(), StandardCharsets.UTF_8));
            read++;
          }
          if (!crashed) {
            // The first consumer commits its offsets once, and dies CRASH_AFTER records later.
            if (committedAt < 0 && read >= ORDERS / 3) {
              consumer.commitSync();
              committedAt = read;
            } else if (committedAt >= 0 && read - committedAt >= CRASH_AFTER) {
              crashed = true;
              consumer.close(); // without committing what it processed since
              consumer = open();
            }
            continue;
          }
          consumer.commitSync();
          if (drain) {
            end = end == null ? consumer.endOffsets(partitions) : end;
            if (caughtUp(consumer, end)) {
              return;
            }
          }
        }
      } finally {
        consumer.close();
      }
    }

    private static boolean caughtUp(
        KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
      return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private KafkaConsumer<String, byte[]> open() {
      Map<String, Object> config =
          Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ConsumerConfig.GROUP_ID_CONFIG,
              group,
              ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
              false,
              ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
              "earliest",
              ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
              50);
      KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
      consumer.assign(partitions);
      return consumer;
    }

    @Override
    public void close() {
      drain = true;
      thread.shutdownNow();
    }
  }
}
