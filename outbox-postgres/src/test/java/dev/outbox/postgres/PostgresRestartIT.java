package dev.outbox.postgres;

import dev.outbox.testkit.RestartContract;
import dev.outbox.testkit.TestDatabase;

/**
 * Restarts the local PostgreSQL (Debian's {@code pg_ctlcluster}); other commands through {@code
 * -Doutbox.test.postgres.stop=…} and {@code -Doutbox.test.postgres.start=…}. Runs only in the
 * {@code restart} profile.
 */
class PostgresRestartIT extends RestartContract {
  private static final String CLUSTER =
      "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main ";

  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @Override
  protected String stopCommand() {
    return System.getProperty("outbox.test.postgres.stop", CLUSTER + "stop");
  }

  @Override
  protected String startCommand() {
    return System.getProperty("outbox.test.postgres.start", CLUSTER + "start");
  }
}
