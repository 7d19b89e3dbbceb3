package dev.outbox.mysql;

import dev.outbox.testkit.RestartContract;
import dev.outbox.testkit.TestDatabase;

/**
 * Restarts the local MariaDB ({@code mariadb-admin shutdown}, then {@code mariadbd} in the
 * background); other commands through {@code -Doutbox.test.mysql.stop=…} and {@code
 * -Doutbox.test.mysql.start=…}. Runs only in the {@code restart} profile.
 */
class MySqlRestartIT extends RestartContract {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }

  @Override
  protected String stopCommand() {
    return System.getProperty(
        "outbox.test.mysql.stop", "mariadb-admin --protocol=tcp -h 127.0.0.1 -u root shutdown");
  }

  @Override
  protected String startCommand() {
    return System.getProperty(
        "outbox.test.mysql.start",
        "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd");
  }
}
