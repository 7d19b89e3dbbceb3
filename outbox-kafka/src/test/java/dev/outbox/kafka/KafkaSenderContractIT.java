package dev.outbox.kafka;

import dev.outbox.Sender;
import dev.outbox.kafka.testkit.EmbeddedKafka;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.RoundTrip.Received;
import dev.outbox.testkit.SenderContract;
import dev.outbox.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The kit's {@link SenderContract} for {@link KafkaSender}, on a real in-process Kafka broker. */
class KafkaSenderContractIT extends SenderContract {
  private static final AtomicInteger TOPICS = new AtomicInteger();

  private EmbeddedKafka kafka;

  @BeforeAll
  void startKafka() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  void stopKafka() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @Override
  protected String freshDestination() throws Exception {
    String topic = "outbox-contract-" + TOPICS.incrementAndGet();
    kafka.createTopic(topic, 3, Map.of());
    return topic;
  }

  @Override
  protected Sender newSender(String name) {
    return KafkaSender.builder(kafka.bootstrapServers()).name(name).build();
  }

  @Override
  protected List<Received> consume(String topic, int distinct, Duration timeout) throws Exception {
    return kafka.consume(topic, distinct, timeout);
  }
}
