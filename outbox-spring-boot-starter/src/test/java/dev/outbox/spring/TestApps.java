package dev.outbox.spring;

import static org.awaitility.Awaitility.await;

import dev.outbox.OutboxRecord;
import dev.outbox.Sender;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the test application on a test database, and reads that database on the side. */
final class TestApps {
  /**
   * The auto-configurations of JPA (Hibernate, Spring Data), Kafka, RabbitMQ, Modulith, by name.
   */
  static final String JPA =
      "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
          + "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration";

  static final String KAFKA = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration";
  static final String MODULITH =
      "org.springframework.modulith.events.config.EventPublicationAutoConfiguration,"
          + "org.springframework.modulith.events.config.EventExternalizationAutoConfiguration,"
          + "org.springframework.modulith.events.jdbc.JdbcEventPublicationAutoConfiguration";
  static final String RABBIT =
      "org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration";

  /**
   * Every one of {@link #JPA}, {@link #KAFKA}, {@link #RABBIT}, {@link #MODULITH} but {@code kept}.
   */
  static String excludeAllBut(String... kept) {
    List<String> all = new ArrayList<>(List.of(JPA, KAFKA, RABBIT, MODULITH));
    all.removeAll(List.of(kept));
    return String.join(",", all);
  }

  /** The property that leaves out auto-configurations. */
  static final String EXCLUDE = "spring.autoconfigure.exclude";

  /** How long a test waits for a delivery. */
  static final Duration DELIVERY = Duration.ofSeconds(15);

  private TestApps() {}

  /**
   * The properties that put the application, its Flyway and the outbox in {@code db}'s fresh
   * schema, with sessions in a non-UTC time zone. JPA, Kafka, RabbitMQ and Modulith's events, on
   * the tests' class path for the tests of each, are left out ({@link #EXCLUDE}): transactions are
   * a DataSource transaction manager's, and no sender is configured from Spring's messaging
   * settings.
   */
  static Map<String, Object> properties(TestDatabase db) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(EXCLUDE, excludeAllBut());
    p.put("spring.datasource.url", db.jdbcUrl());
    p.put("spring.datasource.hikari.maximum-pool-size", 6);
    p.put("spring.datasource.hikari.connection-init-sql", sessionTimeZone(db));
    p.put("spring.flyway.schemas", db.schema());
    p.put("outbox.schema", db.schema());
    return p;
  }

  /**
   * {@link #properties(TestDatabase)} with {@code keysAndValues} (key, value, ...) put over them.
   */
  static Map<String, Object> properties(TestDatabase db, Object... keysAndValues) {
    Map<String, Object> p = properties(db);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return p;
  }

  private static String sessionTimeZone(TestDatabase db) {
    return db.jdbcUrl().startsWith("jdbc:postgresql:")
        ? "SET TIME ZONE 'Pacific/Chatham'"
        : "SET time_zone = '+05:45'";
  }

  /** Starts the application with {@code properties} and {@code sender} as its Sender bean. */
  static ConfigurableApplicationContext start(Map<String, Object> properties, Sender sender) {
    return start(OrderApp.class, properties, sender);
  }

  /** Starts {@code app} with {@code properties} and {@code sender} (if any) as its Sender bean. */
  static ConfigurableApplicationContext start(
      Class<?> app, Map<String, Object> properties, Sender sender) {
    return start(app, properties, sender == null ? Map.of() : Map.of("sender", sender));
  }

  /** Starts {@code app} with {@code properties} and {@code beans}, by name. */
  static ConfigurableApplicationContext start(
      Class<?> app, Map<String, Object> properties, Map<String, Object> beans) {
    return builder(app, properties, beans).web(WebApplicationType.NONE).run();
  }

  /**
   * Starts {@code app} as a web application on a random port, with {@code properties} and {@code
   * sender} (if any) as its Sender bean.
   */
  static ConfigurableApplicationContext startWeb(
      Class<?> app, Map<String, Object> properties, Sender sender) {
    return builder(app, properties, sender == null ? Map.of() : Map.of("sender", sender))
        .web(WebApplicationType.SERVLET)
        .properties("server.port=0")
        .run();
  }

  private static SpringApplicationBuilder builder(
      Class<?> app, Map<String, Object> properties, Map<String, Object> beans) {
    return new SpringApplicationBuilder(app)
        .properties(properties)
        .initializers(c -> beans.forEach(c.getBeanFactory()::registerSingleton));
  }

  /** The base URL of a web application {@link #startWeb started} here. */
  static String baseUrl(ConfigurableApplicationContext app) {
    return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  /** Waits until {@code sender} has received {@code messageId}; returns that record. */
  static OutboxRecord awaitDelivered(RecordingSender sender, UUID messageId) {
    return await()
        .atMost(DELIVERY)
        .until(
            () ->
                sender.received().stream()
                    .filter(r -> r.messageId().equals(messageId))
                    .findFirst()
                    .orElse(null),
            r -> r != null);
  }

  /** The values of the one column {@code sql} selects, on a connection outside any pool. */
  static List<String> column(TestDatabase db, String sql, Object... args) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl());
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<String> values = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          values.add(rs.getString(1));
        }
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  /** The tables in {@code db}'s schema, lower case. */
  static List<String> tables(TestDatabase db) {
    return column(
        db,
        "SELECT LOWER(table_name) FROM information_schema.tables WHERE table_schema = ?"
            + " ORDER BY 1",
        db.schema());
  }
}
