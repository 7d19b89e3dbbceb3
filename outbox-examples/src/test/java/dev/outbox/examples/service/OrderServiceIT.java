package dev.outbox.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.testkit.RecordingOutbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A service's own test with {@link RecordingOutbox}: what it enlisted, checked without an outbox
 * table. The business write still goes to a real PostgreSQL (a fresh schema). README.md quotes the
 * part between the README markers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderServiceIT {
  private static final Path SOURCE =
      Path.of("src/test/java/dev/outbox/examples/service/OrderServiceIT.java");

  private TestPostgres pg;
  private HikariDataSource dataSource;

  @BeforeAll
  void database() {
    pg = TestPostgres.create();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(
        pg.jdbcUrl() + (pg.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema=" + pg.schema());
    config.setMaximumPoolSize(2);
    config.setPoolName("order-service-it");
    dataSource = new HikariDataSource(config);
    try (var c = dataSource.getConnection();
        var s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id uuid PRIMARY KEY, customer text, amount_cents bigint)");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  void close() {
    if (dataSource != null) {
      dataSource.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void placingAnOrderEnlistsItsCreatedMessageKeyedByTheCustomer() {
    // README begin
    RecordingOutbox outbox = RecordingOutbox.create(); // or .builder().maxPayloadBytes(...).build()
    OrderService service = new OrderService(dataSource, outbox);

    UUID orderId = service.placeOrder("customer-42", 1999);

    assertThat(outbox.enlisted("orders"))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.key()).isEqualTo("customer-42");
              assertThat(m.headers()).containsEntry("type", "order.created");
              assertThat(m.payloadAsString()).contains(orderId.toString());
            });
    // README end
    assertThat(
            pg.queryLong("SELECT count(*) FROM " + pg.schema() + ".orders WHERE id = ?", orderId))
        .isEqualTo(1);
  }

  @Test
  void theReadmeQuotesThisTest() throws Exception {
    String source = Files.readString(SOURCE);
    String quoted =
        source
            .substring(
                source.indexOf("// README begin\n") + 16, source.indexOf("    // README end"))
            .lines()
            .map(l -> l.length() >= 4 ? l.substring(4) : l)
            .collect(Collectors.joining("\n", "", "\n"));
    assertThat(Files.readString(Path.of("../README.md")))
        .as("README.md quotes %s between its README markers", SOURCE)
        .contains("```java\n" + quoted + "```\n");
  }
}
