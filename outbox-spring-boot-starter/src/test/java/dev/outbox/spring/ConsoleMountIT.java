package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.postgres.PostgresTestDatabase;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The web console mounted by the starter under {@code outbox.console.path} of a web application on
 * a random port, on PostgreSQL: its overview over HTTP, read-only unless configured, not mounted
 * unless enabled, and a bad path stops the start naming the property.
 */
class ConsoleMountIT {
  private static PostgresTestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = PostgresTestDatabase.create();
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  private static Map<String, Object> props(String table, Object... keysAndValues) {
    Map<String, Object> p = TestApps.properties(db, keysAndValues);
    p.put("outbox.table", table);
    return p;
  }

  @Test
  void theOverviewPageIsServedUnderTheConfiguredPath() {
    Map<String, Object> p =
        props("console_on", "outbox.console.enabled", "true", "outbox.console.path", "/ops/outbox");
    try (ConfigurableApplicationContext app = TestApps.startWeb(OrderApp.class, p, null)) {
      app.getBean(OrderApp.OrderService.class).placeOrder(3, "rug");
      String console = TestApps.baseUrl(app) + "/ops/outbox";

      HttpResponse<String> overview = HttpClients.get(console + "/");
      assertThat(overview.statusCode()).isEqualTo(200);
      assertThat(overview.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
      assertThat(overview.body())
          .contains("<h1>Overview</h1>")
          .contains("<dd id=\"pending\">1</dd>")
          .contains("href=\"/ops/outbox/dead-letters\"");

      HttpResponse<String> pause = HttpClients.postJson(console + "/actions/pause", "");
      assertThat(pause.statusCode()).as("read-only by default").isEqualTo(403);
    }
  }

  @Test
  void theConsoleIsNotMountedUnlessEnabled() {
    try (ConfigurableApplicationContext app =
        TestApps.startWeb(OrderApp.class, props("console_off"), null)) {
      assertThat(app.containsBean("outboxConsoleServlet")).isFalse();
      assertThat(HttpClients.get(TestApps.baseUrl(app) + "/outbox/").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aBadPathFailsStartUpNamingTheProperty() {
    Map<String, Object> p =
        props("console_bad", "outbox.console.enabled", "true", "outbox.console.path", "outbox/");
    assertThatThrownBy(() -> TestApps.startWeb(OrderApp.class, p, null).close())
        .satisfies(e -> assertThat(StartupIT.find(e).property()).isEqualTo("outbox.console.path"));
  }
}
