package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import dev.outbox.OutboxRecord;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.RecordingSender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Spring Modulith's event externalization through the outbox, on PostgreSQL with Modulith's JDBC
 * event publication registry: an {@code @Externalized} event published in a committed transaction
 * is delivered by the relay to its routing target, keyed by its SpEL key, as JSON; a rolled-back
 * one never is; an event not externalized stays out of the outbox.
 */
class ModulithExternalizationIT {
  private static PostgresTestDatabase db;
  private static ConfigurableApplicationContext app;
  private static final RecordingSender sender = new RecordingSender();

  @BeforeAll
  static void start() {
    db = PostgresTestDatabase.create();
    Map<String, Object> p =
        TestApps.properties(
            db,
            TestApps.EXCLUDE,
            TestApps.excludeAllBut(TestApps.MODULITH),
            "spring.datasource.hikari.schema",
            db.schema(),
            "spring.modulith.events.jdbc.schema-initialization.enabled",
            "true",
            "outbox.relay.poll-interval",
            "1h");
    app = TestApps.start(ModulithApp.class, p, sender);
  }

  @AfterAll
  static void stop() {
    try {
      app.close();
    } finally {
      db.close();
    }
  }

  @Test
  void anExternalizedEventOfACommittedTransactionIsDeliveredToItsTarget() {
    app.getBean(ModulithApp.Shipping.class).ship(71, "lamp", false);

    OutboxRecord r =
        await()
            .atMost(TestApps.DELIVERY)
            .until(
                () -> sender.received().stream().filter(m -> "71".equals(m.key())).findFirst(),
                Optional::isPresent)
            .get();
    assertThat(r.topic()).isEqualTo("shipments");
    String json = new String(r.payload(), StandardCharsets.UTF_8);
    assertThat((String) JsonPath.read(json, "$.item")).isEqualTo("lamp");
    assertThat(r.headers())
        .containsEntry(
            ModulithOutboxExternalizer.TYPE_HEADER, ModulithApp.OrderShipped.class.getName());
    assertThat(messages("71")).containsExactly("shipments");
  }

  @Test
  void aRolledBackTransactionsEventIsNeverEnlisted() {
    assertThatThrownBy(() -> app.getBean(ModulithApp.Shipping.class).ship(72, "vase", true))
        .hasMessage("carrier refused");
    assertThat(messages("72")).isEmpty();
  }

  /** The topics of the outbox messages keyed {@code key}: only externalized events are there. */
  private static List<String> messages(String key) {
    return TestApps.column(
        db, "SELECT topic FROM " + db.schema() + ".outbox_message WHERE msg_key = ?", key);
  }
}
