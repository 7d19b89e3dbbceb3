package dev.outbox.postgres;

import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxTables;
import dev.outbox.testkit.ChildJvm;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;

/**
 * A producer in its own JVM: enlists one message with the default {@link PostgresDialect}, commits,
 * prints {@code COMMITTED} and exits.
 *
 * <p>Arguments: JDBC URL, schema, table, payload.
 */
public final class EnlistProcess {
  private EnlistProcess() {}

  static Process start(String jdbcUrl, String schema, String table, String payload)
      throws IOException {
    return ChildJvm.start(EnlistProcess.class, jdbcUrl, schema, table, payload);
  }

  public static void main(String[] args) throws Exception {
    JdbcOutbox outbox =
        JdbcOutbox.builder(new PostgresDialect())
            .tables(new OutboxTables(args[1], args[2]))
            .build();
    try (Connection c = DriverManager.getConnection(args[0])) {
      c.setAutoCommit(false);
      outbox.add(c, OutboxMessage.of("t", "k", args[3]));
      c.commit();
    }
    System.out.println("COMMITTED");
  }
}
