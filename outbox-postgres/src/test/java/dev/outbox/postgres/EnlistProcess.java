package dev.outbox.postgres;

import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import java.io.File;
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
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            EnlistProcess.class.getName(),
            jdbcUrl,
            schema,
            table,
            payload)
        .redirectErrorStream(true)
        .start();
  }

  public static void main(String[] args) throws Exception {
    JdbcOutbox outbox =
        JdbcOutbox.builder(new PostgresDialect()).schema(args[1]).table(args[2]).build();
    try (Connection c = DriverManager.getConnection(args[0])) {
      c.setAutoCommit(false);
      outbox.add(c, OutboxMessage.of("t", "k", args[3]));
      c.commit();
    }
    System.out.println("COMMITTED");
  }
}
