package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.testkit.TestDatabase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application with Spring Boot's Flyway and its own {@code V1__} under {@code
 * classpath:db/migration}, beside the outbox's jars: it starts without the starter (the outbox's
 * scripts used to sit inside that location and broke it) and with it, and each Flyway history holds
 * only its own migrations. Each database's subclass gives a fresh schema per test.
 */
abstract class ApplicationFlywayITSupport {

  abstract TestDatabase openDatabase();

  @Test
  void anApplicationWithItsOwnFlywayStartsBesideTheOutboxJarsWithoutTheStarter() {
    try (TestDatabase db = openDatabase()) {
      Map<String, Object> p = new HashMap<>(TestApps.properties(db));
      p.put(
          TestApps.EXCLUDE,
          p.get(TestApps.EXCLUDE) + "," + OutboxAutoConfiguration.class.getName());
      try (ConfigurableApplicationContext app =
          new SpringApplicationBuilder(FlywayOnlyApp.class)
              .web(WebApplicationType.NONE)
              .properties(p)
              .run()) {
        assertThat(app.getBeanNamesForType(TransactionalOutbox.class)).isEmpty();
        assertThat(applicationHistory(db)).containsExactly("1");
        assertThat(TestApps.tables(db)).contains("app_orders").doesNotContain("outbox_message");
      }
    }
  }

  @Test
  void anApplicationWithItsOwnFlywayStartsWithTheStarterAndEachKeepsItsHistory() {
    try (TestDatabase db = openDatabase();
        ConfigurableApplicationContext app = TestApps.start(TestApps.properties(db), null)) {
      assertThat(applicationHistory(db)).containsExactly("1");
      assertThat(TestApps.tables(db))
          .contains("app_orders", "outbox_message", "outbox_message_schema_history");
      assertThat(app.getBean(OutboxMigrationsRunner.class).applied()).isPositive();
      assertThat(
              TestApps.column(
                  db,
                  "SELECT COUNT(*) FROM "
                      + db.schema()
                      + ".outbox_message_schema_history WHERE success AND type = 'SQL'"))
          .containsExactly(Integer.toString(app.getBean(OutboxMigrationsRunner.class).applied()));
    }
  }

  /** The versions in the application's own Flyway history. */
  private static List<String> applicationHistory(TestDatabase db) {
    return TestApps.column(
        db,
        "SELECT version FROM "
            + db.schema()
            + ".flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank");
  }

  /** An application with Boot's DataSource and Flyway only. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class FlywayOnlyApp {}
}
