package dev.outbox.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OutboxAdmin;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.postgres.PostgresTestDatabase;
import dev.outbox.testkit.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** {@link ConsoleContract} on PostgreSQL, and the page shown when the database is unreachable. */
class OutboxConsolePostgresIT extends ConsoleContract {

  @Override
  TestDatabase createDatabase() {
    return PostgresTestDatabase.create();
  }

  @Test
  void anUnreachableDatabaseGivesAnErrorPageWithTheReason() throws Exception {
    int closedPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = free.getLocalPort();
    }
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres?user=postgres");
    nowhere.setConnectTimeout(2);
    OutboxAdmin down = OutboxAdmin.builder(nowhere, new PostgresDialect()).tables(tables).build();
    try (ConsoleServer s = OutboxConsole.builder(down).build().start(0)) {
      HttpResponse<String> r = get(s.uri());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body())
          .contains("The outbox database could not be reached or read")
          .contains("outbox admin could not read the overview");
    }
  }
}
