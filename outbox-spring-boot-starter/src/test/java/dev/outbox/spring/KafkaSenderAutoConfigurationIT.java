package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.Sender;
import dev.outbox.kafka.KafkaSender;
import dev.outbox.kafka.testkit.EmbeddedKafka;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.RoundTrip.Received;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With outbox-kafka and Spring's Kafka support on the class path and no Sender bean, the starter
 * configures a KafkaSender from {@code spring.kafka.*}: end to end from PostgreSQL to a real Kafka
 * broker in this JVM; a producer setting the sender cannot honour fails start-up naming it.
 */
class KafkaSenderAutoConfigurationIT {
  private static PostgresTestDatabase db;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    db = PostgresTestDatabase.create();
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      kafka.close();
    } finally {
      db.close();
    }
  }

  private static Map<String, Object> props(String table) {
    return TestApps.properties(
        db,
        TestApps.EXCLUDE,
        TestApps.excludeAllBut(TestApps.KAFKA),
        "outbox.table",
        table,
        "spring.kafka.bootstrap-servers",
        kafka.bootstrapServers(),
        "outbox.kafka.name",
        "boot-it");
  }

  @Test
  void aSenderFromSpringKafkaPropertiesDeliversToTheBroker() throws Exception {
    kafka.createTopic("boot-orders", 3, Map.of());
    Map<String, Object> p = props("kafka_e2e");
    p.put("spring.kafka.producer.compression-type", "gzip");
    try (ConfigurableApplicationContext app = TestApps.start(p, null)) {
      assertThat(app.getBean(Sender.class)).isInstanceOf(KafkaSender.class);

      UUID id = app.getBean(OrderApp.OrderService.class).publish("boot-orders", 7, "parcel");
      List<Received> received = kafka.consume("boot-orders", 1, Duration.ofSeconds(30));
      assertThat(received)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.messageId()).isEqualTo(id.toString());
                assertThat(r.key()).isEqualTo("7");
                assertThat(r.payload()).isEqualTo("parcel");
              });
    }
  }

  @Test
  void aProducerSettingTheSenderCannotHonourFailsStartUpNamingIt() {
    Map<String, Object> p = props("kafka_acks");
    p.put("spring.kafka.producer.acks", "1");
    assertThatThrownBy(() -> TestApps.start(p, null).close())
        .satisfies(
            e -> {
              InvalidOutboxPropertyException invalid = StartupIT.find(e);
              assertThat(invalid).isNotNull();
              assertThat(invalid.property()).isEqualTo("spring.kafka.producer.acks");
            });
  }
}
