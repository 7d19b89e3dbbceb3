package dev.outbox.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.postgres.PostgresTestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example service as its users run it, on a fresh PostgreSQL schema and a random port: the
 * sample orders and one placed over HTTP are delivered, and Actuator and the console show the
 * outbox.
 */
class OrderServiceApplicationIT {
  private static final Pattern EVENT_ID = Pattern.compile("\"eventId\":\"([0-9a-f-]{36})\"");
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void anOrderPlacedOverHttpIsDeliveredAndTheOutboxShowsIt() throws Exception {
    try (PostgresTestDatabase db = PostgresTestDatabase.create();
        ConfigurableApplicationContext app =
            new SpringApplicationBuilder(OrderServiceApplication.class)
                .run(
                    "--server.port=0",
                    "--spring.datasource.url=" + db.jdbcUrl() + "&currentSchema=" + db.schema(),
                    "--spring.flyway.schemas=" + db.schema(),
                    "--outbox.schema=" + db.schema(),
                    "--example.sample-orders=2")) {
      String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");

      HttpResponse<String> placed =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/orders"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"teapot\",\"quantity\":2}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(placed.statusCode()).isEqualTo(201);
      Matcher m = EVENT_ID.matcher(placed.body());
      assertThat(m.find()).as(placed.body()).isTrue();
      UUID eventId = UUID.fromString(m.group(1));

      OutboxAdmin admin = app.getBean(OutboxAdmin.class);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> admin.messagesById(eventId).stream().map(MessageView::state).toList(),
              s -> s.equals(List.of(MessageState.SENT)));
      LoggingSender sender = app.getBean(LoggingSender.class);
      await().atMost(Duration.ofSeconds(15)).until(() -> sender.delivered() == 3);

      assertThat(get(base + "/actuator/outbox").statusCode()).isEqualTo(200);
      assertThat(get(base + "/actuator/health").body()).contains("\"outbox\"");
      assertThat(get(base + "/outbox/").body()).contains("<h1>Overview</h1>");
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
