package dev.outbox.spring;

import dev.outbox.Sender;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the test application on a test database, and reads that database on the side. */
final class TestApps {
  private TestApps() {}

  /**
   * The properties that put the application, its Flyway and the outbox in {@code db}'s fresh
   * schema, with sessions in a non-UTC time zone.
   */
  static Map<String, Object> properties(TestDatabase db) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("spring.datasource.url", db.jdbcUrl());
    p.put("spring.datasource.hikari.maximum-pool-size", 6);
    p.put("spring.datasource.hikari.connection-init-sql", sessionTimeZone(db));
    p.put("spring.flyway.schemas", db.schema());
    p.put("outbox.schema", db.schema());
    return p;
  }

  private static String sessionTimeZone(TestDatabase db) {
    return db.jdbcUrl().startsWith("jdbc:postgresql:")
        ? "SET TIME ZONE 'Pacific/Chatham'"
        : "SET time_zone = '+05:45'";
  }

  /** Starts the application with {@code properties} and {@code sender} as its Sender bean. */
  static ConfigurableApplicationContext start(Map<String, Object> properties, Sender sender) {
    SpringApplicationBuilder app =
        new SpringApplicationBuilder(OrderApp.class)
            .web(WebApplicationType.NONE)
            .properties(properties);
    if (sender != null) {
      app.initializers(c -> c.getBeanFactory().registerSingleton("sender", sender));
    }
    return app.run();
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
