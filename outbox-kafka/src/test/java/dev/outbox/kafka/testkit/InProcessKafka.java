package dev.outbox.kafka.testkit;

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
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, on 127.0.0.1
 * only, with its log in a temporary directory that {@link #close()} deletes. The Kafka tests run
 * against it, and so does the benchmark's Kafka scenario when no {@code --kafka-bootstrap} is
 * given: there it shares the JVM, and the machine, with the relay and the raw publisher, as a
 * broker on the same host would share the machine.
 *
 * <p>It lives in this module's test-jar, and the server classes come from {@code kafka_2.13} and
 * {@code kafka-metadata}, test dependencies here: a service that depends on {@code outbox-kafka}
 * gets neither. The Kafka tests start it with a second client listener ({@link #start(int, int)}),
 * advertised at another address (a proxy in front of it that a test can cut).
 */
public final class InProcessKafka implements AutoCloseable {
  private static final String LOCALHOST = "127.0.0.1";
  private static final long SHUTDOWN_TIMEOUT_SECONDS = 30;

  private final Path logDir;
  private final int port;
  private final int controllerPort;

  /** The running server; null while {@link #stop() stopped}. */
  private KafkaRaftServer server;

  /** The second client listener's port and where it is advertised, or 0 for none. */
  private final int externalPort;

  private final int advertisedExternalPort;

  private InProcessKafka(Path logDir, int port, int externalPort, int advertisedExternalPort)
      throws Exception {
    this.logDir = logDir;
    this.port = port;
    this.externalPort = externalPort;
    this.advertisedExternalPort = advertisedExternalPort;
    this.controllerPort = freePort();
    format();
    startServer();
  }

  private void startServer() {
    server = new KafkaRaftServer(new KafkaConfig(config(controllerPort), false), Time.SYSTEM);
    server.startup();
  }

  /** Formats a fresh log directory and starts the broker; returns once it serves requests. */
  public static InProcessKafka start() throws Exception {
    return start(0, 0);
  }

  /**
   * Starts the broker with a second client listener ({@code EXTERNAL}) on {@code externalPort},
   * advertised to clients at {@code 127.0.0.1:advertisedExternalPort}; 0 and 0 for none.
   */
  public static InProcessKafka start(int externalPort, int advertisedExternalPort)
      throws Exception {
    Path dir = Files.createTempDirectory("outbox-kafka-");
    try {
      return new InProcessKafka(dir, freePort(), externalPort, advertisedExternalPort);
    } catch (Exception e) {
      deleteRecursively(dir);
      throw e;
    }
  }

  private Map<String, Object> config(int controller) {
    String listeners = "PLAINTEXT://%1$s:%2$d,CONTROLLER://%1$s:%3$d";
    String advertised = "PLAINTEXT://%1$s:%2$d";
    String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
    if (externalPort != 0) {
      listeners += ",EXTERNAL://%1$s:%4$d";
      advertised += ",EXTERNAL://%1$s:%5$d";
      protocols += ",EXTERNAL:PLAINTEXT";
    }
    Map<String, Object> c = new HashMap<>();
    c.put("process.roles", "broker,controller");
    c.put("node.id", "1");
    c.put("controller.quorum.voters", "1@" + LOCALHOST + ":" + controller);
    c.put("controller.listener.names", "CONTROLLER");
    c.put(
        "listeners",
        listeners.formatted(LOCALHOST, port, controller, externalPort, advertisedExternalPort));
    c.put(
        "advertised.listeners",
        advertised.formatted(LOCALHOST, port, controller, externalPort, advertisedExternalPort));
    c.put("listener.security.protocol.map", protocols);
    c.put("inter.broker.listener.name", "PLAINTEXT");
    c.put("log.dirs", logDir.toString());
    c.put("auto.create.topics.enable", "false");
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "1");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    // Two cores are shared with the database, the relay and the clients.
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

  /** The broker's bootstrap servers on its first listener, {@code 127.0.0.1:port}. */
  public String bootstrapServers() {
    return LOCALHOST + ":" + port;
  }

  /**
   * Stops the broker as a broker process that goes away would (waiting at most 30 s), keeping its
   * log, ports and topics for {@link #restart()}; clients lose their connections and cannot
   * reconnect meanwhile.
   */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    KafkaRaftServer stopping = server;
    server = null;
    Thread stopper =
        new Thread(
            () -> {
              stopping.shutdown();
              stopping.awaitShutdown();
            },
            "outbox-kafka-shutdown");
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
  }

  /**
   * Starts the broker again after {@link #stop()}, on the same ports with the same log (its topics
   * and records); returns once it serves requests.
   */
  public synchronized void restart() {
    if (server == null) {
      startServer();
    }
  }

  /** Stops the broker (waiting at most 30 s) and deletes the log directory. */
  @Override
  public void close() throws IOException {
    stop();
    deleteRecursively(logDir);
  }

  /** A port free on the loopback interface now. */
  public static int freePort() throws IOException {
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
