package dev.outbox.kafka.testkit;

import static org.awaitility.Awaitility.await;

import dev.outbox.kafka.KafkaSender;
import dev.outbox.testkit.RoundTrip;
import dev.outbox.testkit.RoundTrip.Received;
import dev.outbox.testkit.TcpProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@link InProcessKafka} (a real single-node KRaft broker in this JVM, on 127.0.0.1 only) as the
 * Kafka tests use it, the sender's and the demo's.
 *
 * <p>It has two client listeners: the first, reached directly, for consumers and admin, and {@code
 * EXTERNAL}, which it advertises at a {@link TcpProxy} in front of it, so that a test can cut a
 * producer's connections (and refuse new ones) as a broker restart or a network failure would,
 * while the consumer keeps reading.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final TcpProxy proxy;
  private final InProcessKafka broker;

  private EmbeddedKafka(TcpProxy proxy, InProcessKafka broker) {
    this.proxy = proxy;
    this.broker = broker;
  }

  /** Formats a fresh log directory and starts the broker; returns once it serves requests. */
  public static EmbeddedKafka start() throws Exception {
    int external = InProcessKafka.freePort();
    TcpProxy proxy = new TcpProxy("127.0.0.1:" + external);
    try {
      return new EmbeddedKafka(proxy, InProcessKafka.start(external, proxy.port()));
    } catch (Exception e) {
      proxy.close();
      throw e;
    }
  }

  /** Bootstrap servers of the direct listener: for consumers and admin clients. */
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** Bootstrap servers of the proxied listener: for the producer whose connections a test cuts. */
  public String proxiedBootstrapServers() {
    return "127.0.0.1:" + proxy.port();
  }

  /** The proxy in front of the {@code EXTERNAL} listener. */
  public TcpProxy proxy() {
    return proxy;
  }

  /** Creates {@code topic} with {@code partitions} partitions and the given topic settings. */
  public void createTopic(String topic, int partitions, Map<String, String> settings)
      throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      NewTopic t = new NewTopic(topic, partitions, (short) 1).configs(settings);
      admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Reads partitions 0 to 2 of {@code topic} from the start, through the direct listener, until
   * {@code distinct} message ids ({@link KafkaSender#MESSAGE_ID_HEADER}) have arrived; fails after
   * {@code timeout}. Returns every record read, in consumption order.
   */
  public List<Received> consume(String topic, int distinct, Duration timeout) throws Exception {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest");
    List<Received> received = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          List.of(
              new TopicPartition(topic, 0),
              new TopicPartition(topic, 1),
              new TopicPartition(topic, 2));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // A KafkaConsumer must not be used from two threads: poll it on this one.
      await(distinct + " distinct messages consumed")
          .atMost(timeout)
          .pollInSameThread()
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> received.add(received(r)));
                return RoundTrip.distinctIds(received).size() >= distinct;
              });
    }
    return received;
  }

  private static Received received(ConsumerRecord<String, byte[]> r) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return new Received(
        headers.get(KafkaSender.MESSAGE_ID_HEADER),
        r.key(),
        headers,
        new String(r.value(), StandardCharsets.UTF_8));
  }

  /** The broker itself, to stop and restart it. */
  public InProcessKafka broker() {
    return broker;
  }

  /** Stops the broker (waiting at most 30 s) and the proxy, and deletes the log directory. */
  @Override
  public void close() throws IOException {
    try {
      broker.close();
    } finally {
      proxy.close();
    }
  }
}
