package dev.outbox.bench;

import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Side;
import dev.outbox.kafka.KafkaSender;
import dev.outbox.kafka.testkit.InProcessKafka;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka: a committed backlog of N delivered to Kafka, to the broker at {@code --kafka-bootstrap} or
 * else to a single-node broker started in this JVM ({@link InProcessKafka}). Outbox: one relay,
 * batch 100, with the shipped {@link KafkaSender}. Baseline: one raw {@link KafkaProducer} ({@code
 * acks=all}, idempotent, otherwise the client's defaults), looping the raw consumer's transaction
 * with the batch of 100 sent, {@code flush()}ed and every send's result awaited before the rows are
 * marked sent. Both send the same records (message key as Kafka key, the payload, the {@value
 * KafkaSender#MESSAGE_ID_HEADER} header) to one topic of {@value #PARTITIONS} partitions made for
 * the run and deleted afterwards; the topic's end offsets must have grown by at least N in each
 * drain.
 */
final class KafkaScenario {
  static final String NAME = "kafka";

  /** Partitions of the benchmark's topic. */
  static final int PARTITIONS = 3;

  /** How long a batch's records, and an admin request, may take. */
  private static final long TIMEOUT_SECONDS = 30;

  private final BenchContext ctx;

  KafkaScenario(BenchContext ctx) {
    this.ctx = ctx;
  }

  /** The variant label; {@link Targets} finds rows by it. */
  static String variant(Order order) {
    return "KafkaSender vs raw producer, " + order.label();
  }

  /** Each chosen ordering, raw producer and relay interleaved, every round. */
  void run() throws Exception {
    String external = ctx.options().kafkaBootstrap();
    if (external != null) {
      run(external);
      return;
    }
    ctx.out().println(NAME + ": starting an in-process Kafka broker");
    try (InProcessKafka kafka = InProcessKafka.start()) {
      run(kafka.bootstrapServers());
    }
  }

  private void run(String bootstrap) throws Exception {
    String topic = "outbox-bench-" + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(PARTITIONS), Optional.empty())))
          .all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      try (SenderDrain drain = new SenderDrain(ctx);
          KafkaSender sender =
              KafkaSender.builder(bootstrap).name("bench").topicMapping(r -> topic).build();
          RawProducer raw = new RawProducer(bootstrap, topic)) {
        Broker broker = new Broker(admin, topic, drain, sender, raw);
        drain.measure(NAME, KafkaScenario::variant, broker::once);
      } finally {
        admin.deleteTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    }
  }

  /** One scenario's broker side: the topic to check, and both producers. */
  private record Broker(
      Admin admin, String topic, SenderDrain drain, KafkaSender sender, RawProducer raw) {

    /** One timed drain of a fresh backlog of {@code n}; checks the topic got every message. */
    double once(Side side, Order order, int n) throws Exception {
      drain.load(side, order, n);
      long before = endOffsets();
      long nanos =
          side == Side.BASELINE ? drain.drainRaw(raw, n) : drain.drainOutbox(sender, order, n);
      long written = endOffsets() - before;
      if (written < n) {
        throw new IllegalStateException(
            side.label() + " sent " + n + " messages but the topic grew by " + written);
      }
      return SenderDrain.rate(n, nanos);
    }

    /** The sum of the topic's end offsets over its partitions. */
    private long endOffsets() throws Exception {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      long sum = 0;
      for (ListOffsetsResultInfo info :
          admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values()) {
        sum += info.offset();
      }
      return sum;
    }
  }

  /**
   * The raw producer: each batch sent record by record, flushed, and every record's result awaited
   * (a failure fails the run). Used from the one raw publisher thread.
   */
  private static final class RawProducer implements RawQueue.Publisher, AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final String topic;

    RawProducer(String bootstrap, String topic) {
      Map<String, Object> config = new HashMap<>();
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ProducerConfig.CLIENT_ID_CONFIG, "outbox-bench-raw");
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      this.producer = new KafkaProducer<>(config);
      this.topic = topic;
    }

    @Override
    public void publish(List<RawQueue.Pending> rows) throws Exception {
      List<Future<RecordMetadata>> sends = new ArrayList<>(rows.size());
      for (RawQueue.Pending r : rows) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(
            KafkaSender.MESSAGE_ID_HEADER,
            r.messageId().toString().getBytes(StandardCharsets.UTF_8));
        sends.add(producer.send(new ProducerRecord<>(topic, null, r.key(), r.payload(), headers)));
      }
      producer.flush();
      for (Future<RecordMetadata> f : sends) {
        f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    }

    @Override
    public void close() {
      producer.close();
    }
  }
}
