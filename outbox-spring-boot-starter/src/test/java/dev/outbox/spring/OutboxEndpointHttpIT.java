package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.jayway.jsonpath.JsonPath;
import dev.outbox.OutboxAdmin;
import dev.outbox.admin.PausedTopic;
import dev.outbox.postgres.PostgresTestDatabase;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code outbox} Actuator endpoint and health over HTTP, in a web application on a random port
 * on PostgreSQL: reads answer with JSON; a write is refused with 403 until {@code
 * outbox.actuator.writes-enabled=true}, and then pauses and resumes a topic; a bad write is a 400.
 */
class OutboxEndpointHttpIT {
  private static PostgresTestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = PostgresTestDatabase.create();
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  private static ConfigurableApplicationContext start(String table, boolean writes) {
    Map<String, Object> p =
        TestApps.properties(
            db,
            "outbox.table",
            table,
            "outbox.actuator.writes-enabled",
            Boolean.toString(writes),
            "management.endpoints.web.exposure.include",
            "health,outbox",
            "management.endpoint.health.show-details",
            "always");
    return TestApps.startWeb(OrderApp.class, p, null);
  }

  @Test
  void readsAnswerOverHttpAndWritesAreRefusedWith403() {
    try (ConfigurableApplicationContext app = start("http_ro", false)) {
      app.getBean(OrderApp.OrderService.class).placeOrder(7, "lamp");
      String outbox = TestApps.baseUrl(app) + "/actuator/outbox";

      HttpResponse<String> overview = HttpClients.get(outbox);
      assertThat(overview.statusCode()).isEqualTo(200);
      assertThat((Integer) JsonPath.read(overview.body(), "$.pending")).isEqualTo(1);

      HttpResponse<String> key = HttpClients.get(outbox + "/7");
      assertThat(key.statusCode()).isEqualTo(200);
      assertThat((Integer) JsonPath.read(key.body(), "$.pending")).isEqualTo(1);

      HttpResponse<String> health = HttpClients.get(TestApps.baseUrl(app) + "/actuator/health");
      assertThat((String) JsonPath.read(health.body(), "$.components.outbox.status"))
          .isEqualTo("UP");

      HttpResponse<String> pause =
          HttpClients.postJson(outbox, "{\"action\":\"pause\",\"topic\":\"orders\"}");
      assertThat(pause.statusCode()).isEqualTo(403);
      assertThat(pause.body()).contains("outbox.actuator.writes-enabled=true");
      assertThat(app.getBean(OutboxAdmin.class).paused()).isEmpty();
    }
  }

  @Test
  void enabledWritesPauseAndResumeOverHttpAndABadOneIs400() {
    try (ConfigurableApplicationContext app = start("http_rw", true)) {
      String outbox = TestApps.baseUrl(app) + "/actuator/outbox";
      OutboxAdmin admin = app.getBean(OutboxAdmin.class);

      HttpResponse<String> pause =
          HttpClients.postJson(
              outbox, "{\"action\":\"pause\",\"topic\":\"orders\",\"reason\":\"deploying\"}");
      assertThat(pause.statusCode()).isEqualTo(200);
      assertThat(admin.paused())
          .extracting(PausedTopic::topic, PausedTopic::reason)
          .containsExactly(tuple("orders", "deploying"));
      assertThat((Integer) JsonPath.read(HttpClients.get(outbox).body(), "$.paused.length()"))
          .isEqualTo(1);

      HttpResponse<String> resume =
          HttpClients.postJson(outbox, "{\"action\":\"resume\",\"topic\":\"orders\"}");
      assertThat(resume.statusCode()).isEqualTo(200);
      assertThat((Boolean) JsonPath.read(resume.body(), "$.wasPaused")).isTrue();
      assertThat(admin.paused()).isEmpty();

      HttpResponse<String> bad = HttpClients.postJson(outbox, "{\"action\":\"explode\"}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("unknown action 'explode'");
    }
  }
}
