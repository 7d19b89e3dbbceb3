package dev.outbox.kafka;

import static dev.outbox.testkit.RoundTrip.MESSAGES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import dev.outbox.cloudevents.CloudEventsSender;
import dev.outbox.jackson.JacksonPayloadCodec;
import dev.outbox.kafka.testkit.EmbeddedKafka;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.testkit.BrokerRestart;
import dev.outbox.testkit.CutHalfway;
import dev.outbox.testkit.RoundTrip;
import dev.outbox.testkit.RoundTrip.Expected;
import dev.outbox.testkit.RoundTrip.Received;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@link KafkaSender} against a real Kafka broker started in this JVM (KRaft, 127.0.0.1), relayed
 * from a real PostgreSQL outbox. Each test has its own topic with three partitions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaSenderIT {
  private static final AtomicInteger TOPICS = new AtomicInteger();

  private TestPostgres pg;
  private EmbeddedKafka kafka;
  private String topic;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    pg = TestPostgres.create();
    kafka = EmbeddedKafka.start();
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

  @BeforeEach
  void freshTopic() throws Exception {
    topic = "outbox-it-" + TOPICS.incrementAndGet();
    kafka.createTopic(topic, 3, Map.of());
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    toClose.clear();
  }

  private <C extends AutoCloseable> C closeAfterTest(C c) {
    toClose.add(c);
    return c;
  }

  @Test
  void anOutageLongerThanTheRetryScheduleDeadLettersNothingAndDeliveryResumes() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    Map<UUID, Expected> expected =
        RoundTrip.enlist(pg.dataSource(), TestPostgres.outbox(tables), topic, 300);
    KafkaSender sender = shortTimeoutSender(kafka.proxiedBootstrapServers(), "it-outage");
    // 6 s without the broker, where 2 attempts 100 ms apart would dead-letter every message.
    CutHalfway cutting = new CutHalfway(sender, kafka.proxy(), 100, Duration.ofSeconds(6));
    closeAfterTest(
            RoundTrip.shortRetryRelay(pg.dataSource(), pg.dialect(), tables, cutting)
                .name("kafka-outage")
                .build())
        .start();

    List<Received> received = kafka.consume(topic, 300, Duration.ofSeconds(90));

    assertThat(cutting.didCut()).isTrue();
    RoundTrip.assertAllArrivedInKeyOrder(expected, received);
    await("all acknowledged as sent")
        .atMost(Duration.ofSeconds(10))
        .until(() -> sentRows(tables) == 300);
    assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables) + "_dead"))
        .as("no message dead-lettered by the outage")
        .isZero();
    assertThat(
            pg.queryLong("SELECT count(*) FROM " + table(tables) + " WHERE last_error IS NOT NULL"))
        .as("messages met the outage")
        .isPositive();
  }

  /** The broker process stopped (its ports closed) and started again: see {@link BrokerRestart}. */
  @Test
  void aBrokerStoppedAndRestartedDeadLettersNothingAndDeliveryResumesWithinAProbe()
      throws Exception {
    KafkaSender sender = shortTimeoutSender(kafka.bootstrapServers(), "it-restart");
    OutboxTables tables = pg.newOutboxTable();
    BrokerRestart.assertRidesOutARestart(
        pg.dataSource(),
        pg.dialect(),
        tables,
        TestPostgres.outbox(tables),
        topic,
        sender,
        "kafka-restart",
        new BrokerRestart.Broker() {
          @Override
          public void stop() {
            kafka.broker().stop();
          }

          @Override
          public void start() {
            kafka.broker().restart();
          }

          @Override
          public List<Received> consume(int distinct) throws Exception {
            return kafka.consume(topic, distinct, Duration.ofSeconds(60));
          }
        });
  }

  @Test
  void thousandMessagesAllArriveInKeyOrderWhenTheConnectionIsCutHalfway() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    Map<UUID, Expected> expected =
        RoundTrip.enlist(pg.dataSource(), TestPostgres.outbox(tables), topic, MESSAGES);
    // A delivery timeout shorter than the outage: the producer gives up on the records it holds,
    // and the relay has to retry them. The relay hands the producer one record of a key at a time,
    // so no later record of a key can be written while an earlier one expires: the first copies
    // are in key order too.
    KafkaSender sender =
        closeAfterTest(
            KafkaSender.builder(kafka.proxiedBootstrapServers())
                .name("it-cut")
                .deliveryTimeout(Duration.ofSeconds(1))
                .build());
    CutHalfway cutting = new CutHalfway(sender, kafka.proxy(), MESSAGES / 2, Duration.ofSeconds(3));
    closeAfterTest(
            RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, cutting)
                .name("kafka-cut")
                .build())
        .start();

    List<Received> received = kafka.consume(topic, MESSAGES, Duration.ofSeconds(90));

    assertThat(cutting.didCut()).isTrue();
    RoundTrip.assertAllArrivedInKeyOrder(expected, received);
    await("all acknowledged as sent")
        .atMost(Duration.ofSeconds(10))
        .until(() -> sentRows(tables) == MESSAGES);
    assertThat(
            pg.queryLong("SELECT count(*) FROM " + table(tables) + " WHERE last_error IS NOT NULL"))
        .as("the records that met the outage were retried by the relay")
        .isPositive();
    assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables) + "_dead")).isZero();
  }

  @Test
  void recordTooLargeForTheTopicIsDeadLetteredWithKafkasReason() throws Exception {
    String small = topic + "-small";
    kafka.createTopic(small, 1, Map.of("max.message.bytes", "1024"));
    OutboxTables tables = pg.newOutboxTable();
    pg.enlist(
        TestPostgres.outbox(tables),
        OutboxMessage.of(small, "k", new byte[10_000]),
        OutboxMessage.of(small, "other", "fits"));
    KafkaSender sender =
        closeAfterTest(KafkaSender.builder(kafka.bootstrapServers()).name("it").build());
    OutboxRelay relay =
        closeAfterTest(RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).build());

    assertThat(relay.runOnce()).isEqualTo(2);

    assertThat(pg.queryString("SELECT reason FROM " + table(tables) + "_dead"))
        .contains("RecordTooLargeException");
    assertThat(pg.queryString("SELECT msg_key FROM " + table(tables) + "_dead")).isEqualTo("k");
    assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables) + " WHERE status = 1"))
        .as("the record that fits is sent")
        .isEqualTo(1);
  }

  @Test
  void recordsForATopicThatDoesNotExistAreRetriedWithTheMetadataError() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    String missing = topic + "-missing";
    pg.enlist(
        TestPostgres.outbox(tables),
        OutboxMessage.of(missing, "a", "1"),
        OutboxMessage.of(missing, "b", "2"),
        OutboxMessage.of(topic, "c", "3"));
    KafkaSender sender =
        closeAfterTest(
            KafkaSender.builder(kafka.bootstrapServers())
                .name("it")
                .maxBlock(Duration.ofSeconds(1))
                .build());
    OutboxRelay relay =
        closeAfterTest(RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).build());

    assertThat(relay.runOnce()).isEqualTo(3);

    String pending = table(tables) + " WHERE status = 0 AND attempts = 1 AND topic = ?";
    assertThat(pg.queryLong("SELECT count(*) FROM " + pending, missing)).isEqualTo(2);
    assertThat(pg.queryString("SELECT last_error FROM " + pending + " LIMIT 1", missing))
        .contains("not present in metadata");
    assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables) + " WHERE status = 1"))
        .as("the record for the existing topic is sent")
        .isEqualTo(1);
  }

  @Test
  void closedSenderReportsRetryAndItsProducerThreadEnds() throws Exception {
    KafkaSender sender = KafkaSender.builder(kafka.bootstrapServers()).name("it-close").build();
    assertThat(outcome(sender, record(1)).status()).isEqualTo(Outcome.Status.SENT);

    sender.close();

    Outcome afterClose = outcome(sender, record(2));
    assertThat(afterClose.status()).isEqualTo(Outcome.Status.RETRY);
    assertThat(afterClose.reason()).contains("closed");
    await("the producer's thread ends")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().endsWith("outbox-it-close")));
  }

  /** A typed event, enlisted as JSON. */
  record OrderCreated(String orderId, Instant placedAt, List<String> skus) {}

  /**
   * Typed values enlisted as JSON, relayed through {@link CloudEventsSender}, read by a consumer as
   * CloudEvents in binary mode ({@code ce_} headers).
   */
  @Test
  void eventsArriveWithCloudEventsHeadersWhileTheStoredMessagesStayPlain() throws Exception {
    OutboxTables tables = pg.newOutboxTable();
    JacksonPayloadCodec codec = new JacksonPayloadCodec();
    JdbcOutbox outbox =
        JdbcOutbox.builder(new PostgresDialect()).tables(tables).payloadCodec(codec).build();
    OrderCreated order =
        new OrderCreated("o-1", Instant.parse("2026-05-06T07:08:09.101112Z"), List.of("a", "b"));
    UUID keyed;
    UUID unkeyed;
    try (Connection c = pg.dataSource().getConnection()) {
      c.setAutoCommit(false);
      keyed = outbox.add(c, topic, "o-1", order);
      unkeyed =
          outbox.add(
              c,
              OutboxMessage.builder(topic)
                  .payload("plain text")
                  .header("type", "audit.note")
                  .build());
      c.commit();
    }
    Instant enlisted = Instant.parse(createdAt(tables, keyed));

    try (KafkaSender kafkaSender =
            KafkaSender.builder(kafka.bootstrapServers()).name("it-ce").build();
        CloudEventsSender sender =
            CloudEventsSender.wrap(kafkaSender)
                .source(URI.create("/orders-service"))
                .typeFrom(r -> "com.example." + r.headers().getOrDefault("type", "order.created"))
                .build();
        OutboxRelay relay =
            RoundTrip.relay(pg.dataSource(), pg.dialect(), tables, sender).build()) {
      assertThat(relay.runOnce()).isEqualTo(2);
    }

    List<Received> received = kafka.consume(topic, 2, Duration.ofSeconds(30));
    Received event = byId(received, keyed);
    assertThat(event.headers())
        .containsEntry("ce_specversion", "1.0")
        .containsEntry("ce_id", keyed.toString())
        .containsEntry("ce_source", "/orders-service")
        .containsEntry("ce_type", "com.example.order.created")
        .containsEntry("ce_subject", "o-1")
        .containsEntry("ce_time", enlisted.toString())
        .containsEntry("content-type", "application/json")
        .doesNotContainKey("ce_datacontenttype");
    assertThat(codec.decode(event.payload().getBytes(StandardCharsets.UTF_8), OrderCreated.class))
        .isEqualTo(order);
    Received note = byId(received, unkeyed);
    assertThat(note.headers())
        .containsEntry("ce_type", "com.example.audit.note")
        .containsEntry("type", "audit.note")
        .doesNotContainKeys("ce_subject", "content-type");
    assertThat(note.payload()).isEqualTo("plain text");

    assertThat(
            pg.queryString(
                "SELECT headers::text FROM " + table(tables) + " WHERE message_id = ?", keyed))
        .as("the stored message is not rewritten")
        .contains("content-type")
        .doesNotContain("ce_");
  }

  private String createdAt(OutboxTables tables, UUID messageId) {
    return pg.queryString(
        "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM "
            + table(tables)
            + " WHERE message_id = ?",
        messageId);
  }

  private static Received byId(List<Received> received, UUID messageId) {
    return received.stream()
        .filter(r -> messageId.toString().equals(r.messageId()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no record for message " + messageId));
  }

  private OutboxRecord record(long id) {
    return new OutboxRecord(
        id, UUID.randomUUID(), topic, "k", new byte[] {1}, Map.of(), Instant.now(), 1);
  }

  private static Outcome outcome(KafkaSender sender, OutboxRecord r) throws Exception {
    return sender.send(List.of(r)).toCompletableFuture().get(30, TimeUnit.SECONDS).get(0);
  }

  /** A sender whose records time out after 1 s, closed after the test. */
  private KafkaSender shortTimeoutSender(String bootstrapServers, String name) {
    return closeAfterTest(
        KafkaSender.builder(bootstrapServers)
            .name(name)
            .deliveryTimeout(Duration.ofSeconds(1))
            .build());
  }

  private long sentRows(OutboxTables tables) {
    return pg.queryLong("SELECT count(*) FROM " + table(tables) + " WHERE status = 1");
  }

  private static String table(OutboxTables tables) {
    return tables.schema() + "." + tables.table();
  }
}
