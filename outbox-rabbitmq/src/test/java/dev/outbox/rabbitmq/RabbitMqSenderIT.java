package dev.outbox.rabbitmq;

import static dev.outbox.testkit.RoundTrip.MESSAGES;
import static dev.outbox.testkit.RoundTrip.distinctIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import dev.outbox.Backoff;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.cloudevents.CloudEventsSender;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.testkit.CutHalfway;
import dev.outbox.testkit.RelayThreads;
import dev.outbox.testkit.RoundTrip;
import dev.outbox.testkit.RoundTrip.Expected;
import dev.outbox.testkit.RoundTrip.Received;
import dev.outbox.testkit.TcpProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link RabbitMqSender} against the real RabbitMQ server ({@code OUTBOX_TEST_RABBITMQ_URI}, else
 * the local one at 127.0.0.1:5672, guest/guest), relayed from a real PostgreSQL outbox. Each test
 * has its own exchange and a server-named queue bound to every routing key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqSenderIT {
  static final String ENV = "OUTBOX_TEST_RABBITMQ_URI";
  static final String LOCAL = "amqp://guest:guest@127.0.0.1:5672";

  private TestPostgres pg;
  private ConnectionFactory factory;
  private Connection consumerConnection;
  private Channel consumer;
  private String exchange;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger notPersistent = new AtomicInteger();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  void connect() throws Exception {
    pg = TestPostgres.create();
    String uri = System.getenv().getOrDefault(ENV, LOCAL);
    factory = new ConnectionFactory();
    factory.setUri(uri);
    try {
      consumerConnection = factory.newConnection("outbox-it-consumer");
    } catch (Exception e) {
      throw new IllegalStateException(
          "No RabbitMQ for the tests at "
              + uri
              + ": start the local server (.ci/run does) or set "
              + ENV
              + " to an AMQP URI",
          e);
    }
  }

  @AfterAll
  void disconnect() throws Exception {
    if (consumerConnection != null) {
      consumerConnection.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @BeforeEach
  void freshExchangeAndQueue() throws Exception {
    received.clear();
    notPersistent.set(0);
    exchange = "outbox-it-" + UUID.randomUUID();
    consumer = consumerConnection.createChannel();
    consumer.exchangeDeclare(exchange, "topic");
    String queue = consumer.queueDeclare().getQueue();
    consumer.queueBind(queue, exchange, "#");
    consumer.basicConsume(queue, true, (tag, d) -> received.add(received(d)), tag -> {});
  }

  @AfterEach
  void cleanUp() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
    toClose.clear();
    consumer.exchangeDelete(exchange);
    consumer.close();
  }

  private Received received(Delivery d) {
    if (!Integer.valueOf(2).equals(d.getProperties().getDeliveryMode())) {
      notPersistent.incrementAndGet();
    }
    return toReceived(d);
  }

  /** What a consumer got: message id, routing key, headers and payload. */
  static Received toReceived(Delivery d) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (d.getProperties().getHeaders() != null) {
      d.getProperties().getHeaders().forEach((k, v) -> headers.put(k, String.valueOf(v)));
    }
    return new Received(
        d.getProperties().getMessageId(),
        d.getEnvelope().getRoutingKey(),
        headers,
        new String(d.getBody(), StandardCharsets.UTF_8));
  }

  private <C extends AutoCloseable> C closeAfterTest(C c) {
    toClose.add(c);
    return c;
  }

  private List<Received> receivedSoFar() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  @Test
  void thousandMessagesArriveWithTheirMessageIdKeyAndHeadersAsPersistentMessages()
      throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    Map<UUID, Expected> expected =
        RoundTrip.enlist(pg.dataSource(), TestPostgres.outbox(tables), exchange, MESSAGES);
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(factory).name("it").build());
    closeAfterTest(
            RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender)
                .name("rabbit-it")
                .build())
        .start();

    await("all messages consumed")
        .atMost(Duration.ofSeconds(60))
        .until(() -> received.size() >= MESSAGES);
    RoundTrip.assertAllArrivedInKeyOrder(expected, receivedSoFar());
    assertThat(received).as("no message was sent twice without a failure").hasSize(MESSAGES);
    assertThat(notPersistent).as("messages not marked persistent").hasValue(0);
    await("all acknowledged as sent")
        .atMost(Duration.ofSeconds(10))
        .until(() -> sentRows(tables) == MESSAGES);
  }

  @Test
  void thousandMessagesAllArriveWhenTheBrokerConnectionIsCutHalfway() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    Map<UUID, Expected> expected =
        RoundTrip.enlist(pg.dataSource(), TestPostgres.outbox(tables), exchange, MESSAGES);
    TcpProxy proxy = closeAfterTest(new TcpProxy(factory.getHost() + ":" + factory.getPort()));
    ConnectionFactory viaProxy = factory.clone();
    viaProxy.setHost("127.0.0.1");
    viaProxy.setPort(proxy.port());
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(viaProxy).name("it").build());
    CutHalfway cutting = new CutHalfway(sender, proxy, MESSAGES / 2, Duration.ofMillis(1500));
    closeAfterTest(
            RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, cutting)
                .name("rabbit-cut")
                .build())
        .start();

    await("all messages consumed after the outage")
        .atMost(Duration.ofSeconds(90))
        .until(() -> distinctIds(receivedSoFar()).size() >= MESSAGES);
    assertThat(cutting.didCut()).isTrue();
    RoundTrip.assertAllArrivedInKeyOrder(expected, receivedSoFar());
    await("all acknowledged as sent")
        .atMost(Duration.ofSeconds(10))
        .until(() -> sentRows(tables) == MESSAGES);
    assertThat(pg.queryLong("SELECT max(attempts) FROM " + table(tables)))
        .as(
            "a batch that failed whole at the cut counts no attempt; one cut midway counts one"
                + " for the records that failed")
        .isBetween(1L, 2L);
    assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables) + "_dead")).isZero();
  }

  @Test
  void anOutageLongerThanTheRetryScheduleDeadLettersNothingAndDeliveryResumes() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    Map<UUID, Expected> expected =
        RoundTrip.enlist(pg.dataSource(), TestPostgres.outbox(tables), exchange, 300);
    TcpProxy proxy = closeAfterTest(new TcpProxy(factory.getHost() + ":" + factory.getPort()));
    ConnectionFactory viaProxy = factory.clone();
    viaProxy.setHost("127.0.0.1");
    viaProxy.setPort(proxy.port());
    RabbitMqSender sender =
        closeAfterTest(RabbitMqSender.builder(viaProxy).name("it-outage").build());
    // 5 s without the broker, where 2 attempts 100 ms apart would dead-letter every message.
    CutHalfway cutting = new CutHalfway(sender, proxy, 100, Duration.ofSeconds(5));
    long cutAt = System.nanoTime();
    closeAfterTest(
            RoundTrip.shortRetryRelay(pg.dataSource(), pg.dialect(), tables, cutting)
                .name("rabbit-outage")
                .build())
        .start();

    await("all messages consumed after the outage")
        .atMost(Duration.ofSeconds(90))
        .until(() -> distinctIds(receivedSoFar()).size() >= 300);
    assertThat(cutting.didCut()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - cutAt))
        .as("delivery resumed within a probe interval (1 s) or so of the broker's return")
        .isLessThan(Duration.ofSeconds(5 + 4));
    RoundTrip.assertAllArrivedInKeyOrder(expected, receivedSoFar());
    await("all acknowledged as sent")
        .atMost(Duration.ofSeconds(10))
        .until(() -> sentRows(tables) == 300);
    assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables) + "_dead"))
        .as("no message dead-lettered by the outage")
        .isZero();
  }

  @Test
  void unroutableMessageIsDeadLetteredWithTheReturnReason() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    String nowhere = "outbox-it-unbound-" + UUID.randomUUID();
    consumer.exchangeDeclare(nowhere, "topic");
    try {
      pg.enlist(TestPostgres.outbox(tables), OutboxMessage.of(nowhere, "k", "lost?"));
      RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(factory).name("it").build());
      OutboxRelay relay =
          closeAfterTest(RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).build());

      assertThat(relay.runOnce()).isEqualTo(1);
      assertThat(pg.queryString("SELECT reason FROM " + table(tables) + "_dead"))
          .contains("unroutable")
          .contains(nowhere)
          .contains("NO_ROUTE");
      assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables))).isZero();
    } finally {
      consumer.exchangeDelete(nowhere);
    }
  }

  /**
   * Through {@link CloudEventsSender} with the AMQP binding's prefix: the attributes arrive as
   * {@code cloudEvents_} headers and the content type as the message's property, where the binding
   * puts {@code datacontenttype}.
   */
  @Test
  void cloudEventsArriveWithTheAmqpBindingsHeadersAndTheContentTypeProperty() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    String queue = consumer.queueDeclare().getQueue();
    consumer.queueBind(queue, exchange, "#");
    UUID id =
        pg.enlist(
                TestPostgres.outbox(tables),
                OutboxMessage.builder(exchange)
                    .key("o-1")
                    .payload("{\"orderId\":\"o-1\"}")
                    .header("content-type", "application/json")
                    .build())
            .get(0);
    CloudEventsSender sender =
        closeAfterTest(
            CloudEventsSender.wrap(RabbitMqSender.builder(factory).name("it-ce").build())
                .prefix(CloudEventsSender.AMQP)
                .source(URI.create("/orders-service"))
                .build());
    OutboxRelay relay =
        closeAfterTest(RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).build());

    assertThat(relay.runOnce()).isEqualTo(1);

    GetResponse got =
        await("the event")
            .atMost(Duration.ofSeconds(10))
            .until(() -> consumer.basicGet(queue, true), r -> r != null);
    assertThat(got.getProps().getContentType()).isEqualTo("application/json");
    Map<String, String> headers = new LinkedHashMap<>();
    got.getProps().getHeaders().forEach((k, v) -> headers.put(k, String.valueOf(v)));
    assertThat(headers)
        .containsEntry("cloudEvents_specversion", "1.0")
        .containsEntry("cloudEvents_id", id.toString())
        .containsEntry("cloudEvents_source", "/orders-service")
        .containsEntry("cloudEvents_type", exchange)
        .containsEntry("cloudEvents_subject", "o-1")
        .containsKey("cloudEvents_time")
        .doesNotContainKeys("ce_id", "cloudEvents_datacontenttype");
    assertThat(new String(got.getBody(), StandardCharsets.UTF_8))
        .isEqualTo("{\"orderId\":\"o-1\"}");
  }

  @Test
  void messageTheBrokerNacksIsRetriedWithTheReason() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    // A queue that holds nothing and rejects what it cannot hold: every publish is nacked.
    String full =
        consumer
            .queueDeclare(
                "", false, true, true, Map.of("x-max-length", 0, "x-overflow", "reject-publish"))
            .getQueue();
    consumer.queueBind(full, exchange, "full");
    pg.enlist(TestPostgres.outbox(tables), OutboxMessage.of(exchange, "full", "refused"));
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(factory).name("it").build());
    OutboxRelay relay =
        closeAfterTest(RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).build());

    assertThat(relay.runOnce()).isEqualTo(1);
    assertThat(pg.queryLong("SELECT attempts FROM " + table(tables) + " WHERE status = 0"))
        .isEqualTo(1);
    assertThat(pg.queryString("SELECT last_error FROM " + table(tables)))
        .contains("negative publisher confirm");
  }

  @Test
  void theRelayWarnsAboutARepeatedFailureAndADeadLetterNamingTheMessage() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    String full =
        consumer
            .queueDeclare(
                "", false, true, true, Map.of("x-max-length", 0, "x-overflow", "reject-publish"))
            .getQueue();
    consumer.queueBind(full, exchange, "full");
    pg.enlist(TestPostgres.outbox(tables), OutboxMessage.of(exchange, "full", "refused"));
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(factory).name("it").build());
    OutboxRelay relay =
        closeAfterTest(
            RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender)
                .name("it-warn")
                .warnAfterAttempts(2)
                .maxAttempts(3)
                .backoff(Backoff.fixed(Duration.ofMillis(1)))
                .build());
    String messageId = pg.queryString("SELECT message_id::text FROM " + table(tables));
    long rowId = pg.queryLong("SELECT id FROM " + table(tables));
    String message =
        "message " + messageId + " (row id " + rowId + ", topic '" + exchange + "', key 'full')";

    try (CapturedStderr log = new CapturedStderr()) {
      assertThat(relay.runOnce()).isEqualTo(1);
      assertThat(log.text()).as("attempt 1 is below warnAfterAttempts").doesNotContain(messageId);

      Thread.sleep(20);
      assertThat(relay.runOnce()).isEqualTo(1);
      assertThat(log.text())
          .contains(
              "WARN dev.outbox.internal.RelayMetrics - outbox relay 'it-warn': delivery of "
                  + message
                  + " failed on attempt 2; retrying at ")
          .contains("negative publisher confirm");

      Thread.sleep(20);
      assertThat(relay.runOnce()).isEqualTo(1);
      assertThat(log.text())
          .contains(
              "outbox relay 'it-warn': "
                  + message
                  + " was moved to the dead letters after attempt 3: gave up after 3 attempts;"
                  + " last error: ")
          .doesNotContain(" more ");
    }
  }

  @Test
  void batchForAnUnreachableBrokerIsRetriedAndTheRelayKeepsGoing() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    pg.enlist(
        TestPostgres.outbox(tables),
        OutboxMessage.of(exchange, "a", "1"),
        OutboxMessage.of(exchange, "b", "2"));
    ConnectionFactory nowhere = factory.clone();
    nowhere.setHost("127.0.0.1");
    nowhere.setPort(closedPort());
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(nowhere).name("it").build());
    OutboxRelay relay =
        closeAfterTest(RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).build());

    assertThat(relay.runOnce()).isEqualTo(2);
    assertThat(
            pg.queryLong(
                "SELECT count(*) FROM " + table(tables) + " WHERE attempts = 0 AND status = 0"))
        .as("an unreachable broker is not the messages' fault: no attempt is counted")
        .isEqualTo(2);
    assertThat(pg.queryString("SELECT last_error FROM " + table(tables) + " LIMIT 1"))
        .containsIgnoringCase("refused");
  }

  @Test
  void aWrongPasswordIsReportedAsAnAuthenticationFailureOfTheUserWithoutThePassword()
      throws Exception {
    String password = "not-the-password-" + UUID.randomUUID();
    ConnectionFactory wrong = factory.clone();
    wrong.setPassword(password);
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(wrong).name("it").build());

    Outcome o = outcomes(sender, record(1, "a")).get(0);

    assertThat(o.status()).isEqualTo(Outcome.Status.RETRY);
    assertThat(o.cause())
        .as("still the broker being away to the relay")
        .isInstanceOf(IOException.class);
    assertThat(o.reason())
        .contains("authentication failed")
        .contains("user '" + factory.getUsername() + "'")
        .contains(factory.getHost() + ":" + factory.getPort())
        .doesNotContain(password);
  }

  @Test
  void aMissingVirtualHostIsNamed() throws Exception {
    String vhost = "outbox-it-no-such-vhost-" + UUID.randomUUID();
    ConnectionFactory elsewhere = factory.clone();
    elsewhere.setVirtualHost(vhost);
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(elsewhere).name("it").build());

    Outcome o = outcomes(sender, record(1, "a")).get(0);

    assertThat(o.status()).isEqualTo(Outcome.Status.RETRY);
    assertThat(o.cause()).isInstanceOf(IOException.class);
    assertThat(o.reason())
        .contains("virtual host '" + vhost + "'")
        .contains("does not exist")
        .contains(factory.getHost() + ":" + factory.getPort());
  }

  @Test
  void aClosedPortIsReportedAsConnectionRefusedAtHostAndPort() throws Exception {
    int port = closedPort();
    ConnectionFactory nowhere = factory.clone();
    nowhere.setHost("127.0.0.1");
    nowhere.setPort(port);
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(nowhere).name("it").build());

    Outcome o = outcomes(sender, record(1, "a")).get(0);

    assertThat(o.status()).isEqualTo(Outcome.Status.RETRY);
    assertThat(o.cause()).isInstanceOf(IOException.class);
    assertThat(o.reason()).contains("connection refused").contains("127.0.0.1:" + port);
  }

  @Test
  void tlsToAPlainPortIsReportedAsATlsFailure() throws Exception {
    ConnectionFactory tls = factory.clone();
    tls.useSslProtocol();
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(tls).name("it").build());

    Outcome o = outcomes(sender, record(1, "a")).get(0);

    assertThat(o.status()).isEqualTo(Outcome.Status.RETRY);
    assertThat(o.reason())
        .contains("TLS handshake with RabbitMQ at " + factory.getHost() + ":" + factory.getPort());
  }

  @Test
  void aMessageForAMissingExchangeIsDeadAndTheOthersAreDeliveredInThisAndLaterBatches()
      throws Exception {
    String missing = "outbox-it-missing-" + UUID.randomUUID();
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(factory).name("it").build());
    OutboxRecord lost = record(1, missing, "k");
    OutboxRecord lostToo = record(3, missing, "k");

    List<Outcome> first =
        sender
            .send(List.of(record(0, "a"), lost, record(2, "b"), lostToo, record(4, "c")))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);

    assertThat(first)
        .extracting(Outcome::status)
        .containsExactly(
            Outcome.Status.SENT,
            Outcome.Status.DEAD,
            Outcome.Status.SENT,
            Outcome.Status.DEAD,
            Outcome.Status.SENT);
    assertThat(first.get(1).reason())
        .contains("the exchange '" + missing + "' does not exist")
        .contains("404")
        .contains("NOT_FOUND");
    assertThat(outcomes(sender, record(5, "d")))
        .extracting(Outcome::status)
        .containsExactly(Outcome.Status.SENT);
    await("the delivered messages arrive")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(received).hasSize(4));
  }

  @Test
  void anExchangeDeletedAfterItWasCheckedIsRetriedThenDeadAndTheSenderGoesOn() throws Exception {
    String doomed = "outbox-it-doomed-" + UUID.randomUUID();
    consumer.exchangeDeclare(doomed, "topic");
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(factory).name("it").build());
    assertThat(outcomes(sender, record(1, doomed, "k")))
        .as("unroutable, but the exchange exists and is now known")
        .extracting(Outcome::status)
        .containsExactly(Outcome.Status.DEAD);
    consumer.exchangeDelete(doomed);

    List<Outcome> closing =
        sender
            .send(List.of(record(2, doomed, "k"), record(3, "a")))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);

    assertThat(closing.get(0).status())
        .as("the broker closed the channel: what awaited a confirm on it is retried")
        .isEqualTo(Outcome.Status.RETRY);
    assertThat(closing.get(0).reason()).contains("404");
    assertThat(closing.get(1).status()).isIn(Outcome.Status.SENT, Outcome.Status.RETRY);
    List<Outcome> after =
        sender
            .send(List.of(record(4, doomed, "k"), record(5, "b")))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertThat(after)
        .extracting(Outcome::status)
        .containsExactly(Outcome.Status.DEAD, Outcome.Status.SENT);
  }

  @Test
  void theRelayDeadLettersAMessageForAMissingExchangeAndDeliversTheOthers() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    String missing = "outbox-it-missing-" + UUID.randomUUID();
    pg.enlist(
        TestPostgres.outbox(tables),
        OutboxMessage.of(exchange, "a", "1"),
        OutboxMessage.of(missing, "b", "lost"),
        OutboxMessage.of(exchange, "c", "3"));
    RabbitMqSender sender = closeAfterTest(RabbitMqSender.builder(factory).name("it").build());
    OutboxRelay relay =
        closeAfterTest(RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).build());

    assertThat(relay.runOnce()).isEqualTo(3);

    assertThat(pg.queryString("SELECT reason FROM " + table(tables) + "_dead"))
        .contains("the exchange '" + missing + "' does not exist");
    assertThat(sentRows(tables)).isEqualTo(2);
    await("the other two arrive")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(received).hasSize(2));
  }

  @Test
  void closedSenderReportsRetryForEveryRecordAndLeavesNoThreadBehind() throws Exception {
    RabbitMqSender sender = RabbitMqSender.builder(factory).name("it-close").build();
    OutboxRecord first = record(1, "a");
    assertThat(outcomes(sender, first))
        .extracting(Outcome::status)
        .containsExactly(Outcome.Status.SENT);

    sender.close();

    assertThat(outcomes(sender, record(2, "b")))
        .singleElement()
        .satisfies(o -> assertThat(o.status()).isEqualTo(Outcome.Status.RETRY))
        .satisfies(o -> assertThat(o.reason()).contains("closed"));
    await("the sender's threads end")
        .atMost(Duration.ofSeconds(10))
        .until(() -> RelayThreads.named("it-close").isEmpty());
  }

  private OutboxRecord record(long id, String key) {
    return record(id, exchange, key);
  }

  private static OutboxRecord record(long id, String topic, String key) {
    return new OutboxRecord(
        id, UUID.randomUUID(), topic, key, new byte[] {1}, Map.of(), Instant.now(), 1);
  }

  private static List<Outcome> outcomes(Sender sender, OutboxRecord r) throws Exception {
    return sender.send(List.of(r)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private long sentRows(OutboxTables tables) {
    return pg.queryLong("SELECT count(*) FROM " + table(tables) + " WHERE status = 1");
  }

  private static String table(OutboxTables tables) {
    return tables.schema() + "." + tables.table();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
