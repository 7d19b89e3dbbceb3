package dev.outbox.spring;

import dev.outbox.testkit.TestDatabase;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a test class's {@link TestDatabase} to the application started for it, which drops the
 * schema when it closes (after its relay has stopped, before its DataSource closes).
 */
final class TestDatabaseHolder {
  private static final Map<String, TestDatabase> open = new ConcurrentHashMap<>();
  private final String schema;

  TestDatabaseHolder(String schema) {
    this.schema = schema;
  }

  /** Keeps {@code db} until the application on its schema closes; returns it. */
  static <T extends TestDatabase> T keep(T db) {
    open.put(db.schema(), db);
    return db;
  }

  void close() {
    TestDatabase db = open.remove(schema);
    if (db != null) {
      db.close();
    }
  }
}
