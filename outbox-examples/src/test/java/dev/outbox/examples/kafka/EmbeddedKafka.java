package dev.outbox.examples.kafka;

import dev.outbox.examples.bench.InProcessKafka;
import dev.outbox.testkit.TcpProxy;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The benchmark's {@link InProcessKafka} (a real single-node KRaft broker in this JVM, on 127.0.0.1
 * only) as the Kafka tests use it.
 *
 * <p>It has two client listeners: the first, reached directly, for consumers and admin, and {@code
 * EXTERNAL}, which it advertises at a {@link TcpProxy} in front of it, so that a test can cut a
 * producer's connections (and refuse new ones) as a broker restart or a network failure would,
 * while the consumer keeps reading.
 */
final class EmbeddedKafka implements AutoCloseable {
  private final TcpProxy proxy;
  private final InProcessKafka broker;

  private EmbeddedKafka(TcpProxy proxy, InProcessKafka broker) {
    this.proxy = proxy;
    this.broker = broker;
  }

  /** Formats a fresh log directory and starts the broker; returns once it serves requests. */
  static EmbeddedKafka start() throws Exception {
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
  String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** Bootstrap servers of the proxied listener: for the producer whose connections a test cuts. */
  String proxiedBootstrapServers() {
    return "127.0.0.1:" + proxy.port();
  }

  /** The proxy in front of the {@code EXTERNAL} listener. */
  TcpProxy proxy() {
    return proxy;
  }

  /** Creates {@code topic} with {@code partitions} partitions and the given topic settings. */
  void createTopic(String topic, int partitions, Map<String, String> settings) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      NewTopic t = new NewTopic(topic, partitions, (short) 1).configs(settings);
      admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** The broker itself, to stop and restart it. */
  InProcessKafka broker() {
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
