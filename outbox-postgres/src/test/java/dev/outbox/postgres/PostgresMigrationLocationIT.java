package dev.outbox.postgres;

import dev.outbox.testkit.MigrationLocationContract;
import dev.outbox.testkit.TestDatabase;
import java.util.List;

class PostgresMigrationLocationIT extends MigrationLocationContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @Override
  protected List<String> shippedScripts() {
    return List.of(
        "V1__outbox_tables.sql",
        "V2__room_for_hot_claims.sql",
        "V3__unkeyed_pending_index.sql",
        "V4__queue_table_autovacuum.sql",
        "V5__half_free_pages.sql",
        "V6__admin_tables.sql",
        "V7__scheduled_messages.sql",
        "V8__idempotency_keys.sql");
  }

  @Override
  protected String migrationLocation() {
    return PostgresDialect.MIGRATION_LOCATION;
  }

  @Override
  protected String oldFolder() {
    return "db/migration/outbox/postgresql";
  }

  @Override
  protected String dropSchemaSql(String schema) {
    return "DROP SCHEMA IF EXISTS " + schema + " CASCADE";
  }
}
