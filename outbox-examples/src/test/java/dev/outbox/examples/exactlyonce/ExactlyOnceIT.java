package dev.outbox.examples.exactlyonce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.postgres.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's exactly-once example against the real PostgreSQL and RabbitMQ: a retried
 * request enlists one message, a redelivered message ships its order once.
 */
class ExactlyOnceIT {

  @Test
  void everyOrderIsShippedExactlyOnceDespiteTheRetryAndTheRedelivery() throws Exception {
    String amqp =
        System.getenv()
            .getOrDefault("OUTBOX_TEST_RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672");
    try (TestPostgres pg = TestPostgres.create()) {
      String url = pg.jdbcUrl() + "&currentSchema=" + pg.schema();
      PrintStream out = System.out;
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      try {
        ExactlyOnce.main(new String[] {url, amqp});
      } finally {
        System.setOut(out);
      }
      String schema = pg.schema();
      assertThat(pg.queryLong("SELECT count(*) FROM " + schema + ".outbox_message"))
          .as("four requests, one retried: three messages")
          .isEqualTo(3);
      assertThat(pg.queryLong("SELECT count(*) FROM " + schema + ".shipments")).isEqualTo(3);
      assertThat(pg.queryLong("SELECT count(*) FROM " + schema + ".outbox_inbox"))
          .as("two rows per processed message id")
          .isEqualTo(6);
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("requests 4, orders 3, messages 3, deliveries 4, shipments 3")
          .contains("every order shipped exactly once");
    }
  }
}
