package dev.outbox.mysql;

import dev.outbox.testkit.MigrationLocationContract;
import dev.outbox.testkit.TestDatabase;
import java.util.List;

class MySqlMigrationLocationIT extends MigrationLocationContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }

  @Override
  protected List<String> shippedScripts() {
    return List.of(
        "V1__outbox_tables.sql",
        "V2__pending_key_run_index.sql",
        "V3__admin_tables.sql",
        "V4__scheduled_messages.sql",
        "V5__idempotency_keys.sql");
  }

  @Override
  protected String migrationLocation() {
    return MySqlDialect.MIGRATION_LOCATION;
  }

  @Override
  protected String oldFolder() {
    return "db/migration/outbox/mysql";
  }

  @Override
  protected String dropSchemaSql(String schema) {
    return "DROP DATABASE IF EXISTS " + schema;
  }
}
