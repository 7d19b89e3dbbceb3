package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.Ordering;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.RecordingSender;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.NestedExceptionUtils;

/**
 * Start-up of an application with the starter, on PostgreSQL: properties reach the relay, bad
 * values stop the start naming the property, and migrations can be left to the deploy. (Shutdown:
 * GracefulShutdownITSupport.)
 */
class StartupIT {
  private static PostgresTestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = PostgresTestDatabase.create();
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  private static Map<String, Object> props(Object... keysAndValues) {
    return TestApps.properties(db, keysAndValues);
  }

  @Test
  void relayPropertiesBindAndReachTheRunningRelay() {
    try (ConfigurableApplicationContext app =
        TestApps.start(
            props(
                "outbox.relay.name", "orders-relay",
                "outbox.relay.batch-size", "7",
                "outbox.relay.ordering", "none",
                "outbox.relay.poll-interval", "250ms",
                "outbox.relay.linger", "0ms",
                "outbox.relay.backoff.initial", "2s"),
            new RecordingSender())) {
      OutboxProperties.Relay relay = app.getBean(OutboxProperties.class).getRelay();
      assertThat(relay.getBatchSize()).isEqualTo(7);
      assertThat(relay.getOrdering()).isEqualTo(Ordering.NONE);
      assertThat(relay.getPollInterval()).isEqualTo(Duration.ofMillis(250));
      assertThat(relay.getLinger()).isZero();
      assertThat(relay.getBackoff().getInitial()).isEqualTo(Duration.ofSeconds(2));

      OutboxRelayLifecycle lifecycle = app.getBean(OutboxRelayLifecycle.class);
      assertThat(lifecycle.isRunning()).isTrue();
      assertThat(lifecycle.relay().name()).isEqualTo("orders-relay");
      assertThat(Thread.getAllStackTraces().keySet())
          .extracting(Thread::getName)
          .contains("outbox-orders-relay-relay");
    }
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of("outbox.relay.batch-size", "0", "outbox.relay.batch-size"),
        Arguments.of(
            "outbox.relay.max-batches-in-flight", "65", "outbox.relay.max-batches-in-flight"),
        Arguments.of("outbox.relay.lease-duration", "10s", "outbox.relay.lease-duration"),
        Arguments.of("outbox.relay.linger", "2s", "outbox.relay.linger"),
        Arguments.of("outbox.relay.name", "no spaces", "outbox.relay.name"),
        Arguments.of("outbox.relay.backoff.initial", "0s", "outbox.relay.backoff"),
        Arguments.of("outbox.max-payload-bytes", "0", "outbox.max-payload-bytes"),
        Arguments.of("outbox.table", "orders;drop", "outbox.table"),
        Arguments.of("outbox.idempotency.window", "0s", "outbox.idempotency.window"),
        Arguments.of("outbox.idempotency.window", "367d", "outbox.idempotency.window"));
  }

  @ParameterizedTest
  @MethodSource("invalidValues")
  void anInvalidValueFailsStartUpNamingTheProperty(String property, String value, String named) {
    Map<String, Object> p = props(property, value, "outbox.relay.send-timeout", "30s");
    assertStartUpFailsNaming(p, named);
  }

  static Stream<Arguments> invalidInboxValues() {
    return Stream.of(
        Arguments.of("outbox.inbox.window", "500ms", "outbox.inbox.window"),
        Arguments.of("outbox.inbox.table", "inbox;drop", "outbox.inbox.table"),
        Arguments.of("outbox.inbox.schema", "no-such schema", "outbox.inbox.schema"),
        Arguments.of("outbox.inbox.expire-period", "8d", "outbox.inbox.expire-period"),
        Arguments.of("outbox.inbox.expire-period", "0s", "outbox.inbox.expire-period"));
  }

  @ParameterizedTest
  @MethodSource("invalidInboxValues")
  void anInvalidInboxValueFailsStartUpNamingTheProperty(
      String property, String value, String named) {
    assertStartUpFailsNaming(props("outbox.inbox.enabled", "true", property, value), named);
  }

  @Test
  void anUnknownOnDuplicateFailsStartUpNamingTheProperty() {
    Map<String, Object> p = props("outbox.idempotency.on-duplicate", "ignore");
    assertThatThrownBy(() -> TestApps.start(p, null).close())
        .hasStackTraceContaining("outbox.idempotency.on-duplicate")
        .rootCause()
        .hasMessageContaining("ignore");
  }

  @Test
  void inboxMigrateOffLeavesTheTableToTheDeploy() {
    String table = "deploy_inbox";
    try (ConfigurableApplicationContext app =
        TestApps.start(
            props(
                "outbox.inbox.enabled", "true",
                "outbox.inbox.table", table,
                "outbox.inbox.migrate", "false",
                "outbox.relay.enabled", "false"),
            null)) {
      assertThat(app.getBean(dev.outbox.inbox.Inbox.class).table().table()).isEqualTo(table);
      assertThat(TestApps.tables(db)).doesNotContain(table, table + "_schema_history");
    }
  }

  private static void assertStartUpFailsNaming(Map<String, Object> p, String named) {
    assertThatThrownBy(() -> TestApps.start(p, new RecordingSender()).close())
        .satisfies(
            e -> {
              Throwable root = NestedExceptionUtils.getMostSpecificCause(e);
              InvalidOutboxPropertyException invalid = find(e);
              assertThat(invalid).as("cause chain of %s", root).isNotNull();
              assertThat(invalid.property()).isEqualTo(named);
              FailureAnalysis analysis = new InvalidOutboxPropertyFailureAnalyzer().analyze(e);
              assertThat(analysis.getDescription()).contains(named);
              assertThat(analysis.getAction()).contains(named);
            });
  }

  @Test
  void aValueOfTheWrongTypeFailsStartUpNamingTheProperty() {
    Map<String, Object> p = props("outbox.relay.batch-size", "lots");
    assertThatThrownBy(() -> TestApps.start(p, new RecordingSender()).close())
        .rootCause()
        .hasMessageContaining("lots");
    assertThatThrownBy(() -> TestApps.start(p, new RecordingSender()).close())
        .hasStackTraceContaining("outbox.relay.batch-size");
  }

  @Test
  void migrationsOffLeavesTheTablesToTheDeploy() {
    String table = "deploy_migrated";
    try (ConfigurableApplicationContext app =
        TestApps.start(
            props(
                "outbox.table",
                table,
                "outbox.migrations.enabled",
                "false",
                "outbox.relay.enabled",
                "false"),
            null)) {
      assertThat(app.getBeanNamesForType(OutboxMigrationsRunner.class)).isEmpty();
      assertThat(TestApps.tables(db)).doesNotContain(table, table + "_schema_history");
    }
    try (ConfigurableApplicationContext app =
        TestApps.start(props("outbox.table", table, "outbox.relay.enabled", "false"), null)) {
      assertThat(app.getBean(OutboxMigrationsRunner.class).applied()).isPositive();
      assertThat(TestApps.tables(db)).contains(table, table + "_schema_history");
    }
  }

  static InvalidOutboxPropertyException find(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidOutboxPropertyException invalid) {
        return invalid;
      }
    }
    return null;
  }
}
