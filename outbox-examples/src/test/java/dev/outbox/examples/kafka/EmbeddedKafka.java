package dev.outbox.examples.kafka;

import dev.outbox.testkit.TcpProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node Kafka broker (KRaft mode, combined broker and controller) in this JVM, on
 * 127.0.0.1 only, with its log in a temporary directory that {@link #close()} deletes.
 *
 * <p>It has two client listeners: {@code INTERNAL}, reached directly, for consumers and admin, and
 * {@code EXTERNAL}, which it advertises at a {@link TcpProxy} in front of it, so that a test can
 * cut a producer's connections (and refuse new ones) as a broker restart or a network failure
 * would, while the consumer keeps reading.
 */
final class EmbeddedKafka implements AutoCloseable {
  private static final String LOCALHOST = "127.0.0.1";
  private static final long SHUTDOWN_TIMEOUT_SECONDS = 30;

  private final Path logDir;
  private final TcpProxy proxy;
  private final KafkaRaftServer server;
  private final int internalPort;

  private EmbeddedKafka(Path logDir, int internalPort, int externalPort, int controllerPort)
      throws Exception {
    this.logDir = logDir;
    this.internalPort = internalPort;
    this.proxy = new TcpProxy(LOCALHOST + ":" + externalPort);
    Map<String, Object> config = config(internalPort, externalPort, controllerPort);
    format();
    this.server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
    server.startup();
  }

  /** Formats a fresh log directory and starts the broker; returns once it serves requests. */
  static EmbeddedKafka start() throws Exception {
    Path dir = Files.createTempDirectory("outbox-kafka-");
    return new EmbeddedKafka(dir, freePort(), freePort(), freePort());
  }

  private Map<String, Object> config(int internal, int external, int controller) {
    Map<String, Object> c = new HashMap<>();
    c.put("process.roles", "broker,controller");
    c.put("node.id", "1");
    c.put("controller.quorum.voters", "1@" + LOCALHOST + ":" + controller);
    c.put("controller.listener.names", "CONTROLLER");
    c.put(
        "listeners",
        "INTERNAL://%1$s:%2$d,EXTERNAL://%1$s:%3$d,CONTROLLER://%1$s:%4$d"
            .formatted(LOCALHOST, internal, external, controller));
    c.put(
        "advertised.listeners",
        "INTERNAL://%1$s:%2$d,EXTERNAL://%1$s:%3$d".formatted(LOCALHOST, internal, proxy.port()));
    c.put(
        "listener.security.protocol.map",
        "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
    c.put("inter.broker.listener.name", "INTERNAL");
    c.put("log.dirs", logDir.toString());
    c.put("auto.create.topics.enable", "false");
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "1");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    // Two cores are shared with other builds: keep the broker's thread pools small.
    c.put("num.network.threads", "2");
    c.put("num.io.threads", "2");
    c.put("background.threads", "2");
    return c;
  }

  private void format() throws Exception {
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(List.of(logDir.toString()))
        .setMetadataLogDirectory(logDir.toString())
        .setControllerListenerName("CONTROLLER")
        .run();
  }

  /** Bootstrap servers of the direct listener: for consumers and admin clients. */
  String bootstrapServers() {
    return LOCALHOST + ":" + internalPort;
  }

  /** Bootstrap servers of the proxied listener: for the producer whose connections a test cuts. */
  String proxiedBootstrapServers() {
    return LOCALHOST + ":" + proxy.port();
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

  /** Stops the broker (waiting at most 30 s), the proxy, and deletes the log directory. */
  @Override
  public void close() throws IOException {
    Thread stopper =
        new Thread(
            () -> {
              server.shutdown();
              server.awaitShutdown();
            },
            "embedded-kafka-shutdown");
    stopper.start();
    try {
      stopper.join(TimeUnit.SECONDS.toMillis(SHUTDOWN_TIMEOUT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the in-process Kafka broker", e);
    }
    if (stopper.isAlive()) {
      throw new IllegalStateException(
          "the in-process Kafka broker did not stop within " + SHUTDOWN_TIMEOUT_SECONDS + " s");
    }
    proxy.close();
    deleteRecursively(logDir);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
