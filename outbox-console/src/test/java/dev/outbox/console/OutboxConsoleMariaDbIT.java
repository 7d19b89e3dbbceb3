package dev.outbox.console;

import dev.outbox.mysql.MySqlTestDatabase;
import dev.outbox.testkit.TestDatabase;

/**
 * {@link ConsoleContract} on MariaDB or MySQL ({@code OUTBOX_TEST_MYSQL_URL}, else the local one).
 */
class OutboxConsoleMariaDbIT extends ConsoleContract {

  @Override
  TestDatabase createDatabase() {
    return MySqlTestDatabase.create();
  }
}
