package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRelay;
import dev.outbox.testkit.OutboxContractSupport;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.RelayThreads;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** LISTEN/NOTIFY: a waiting relay picks up a committed message at once, not at its next poll. */
class PostgresWakeupIT extends OutboxContractSupport {

  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @Test
  void waitingRelayIsWokenByTheCommitNotByItsPollInterval() throws Exception {
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay =
        closeAfterTest(
            relayBuilder(sender).name("listening").pollInterval(Duration.ofMinutes(5)).build());
    relay.start();
    // Let the relay's adaptive idle wait grow to several seconds.
    Thread.sleep(6_000);

    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      outbox.add(c, OutboxMessage.of("t", "k", "uncommitted yet"));
      Thread.sleep(500);
      assertThat(sender.received()).as("NOTIFY is only delivered at commit").isEmpty();
      long committedAt = System.nanoTime();
      c.commit();
      sender.awaitReceived(1, Duration.ofSeconds(2));
      Duration latency = Duration.ofNanos(System.nanoTime() - committedAt);
      assertThat(latency).isLessThan(Duration.ofSeconds(1));
    }
    assertThat(RelayThreads.named("listening")).contains("outbox-listening-listen");
  }

  @Test
  void withNotificationsOffTheRelayFallsBackToPolling() throws Exception {
    PostgresDialect polling = PostgresDialect.withoutNotifications();
    outbox = outboxBuilder().build();
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay =
        closeAfterTest(
            OutboxRelay.builder(dataSource, polling, sender)
                .schema(tables.schema())
                .table(tables.table())
                .clock(clock)
                .name("polling")
                .pollInterval(Duration.ofMillis(300))
                .build());
    relay.start();
    dev.outbox.JdbcOutbox quiet =
        dev.outbox.JdbcOutbox.builder(polling)
            .schema(tables.schema())
            .table(tables.table())
            .clock(clock)
            .build();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      quiet.add(c, OutboxMessage.of("t", "k", "polled"));
      c.commit();
    }
    sender.awaitReceived(1, Duration.ofSeconds(5));
    assertThat(RelayThreads.named("polling")).containsExactly("outbox-polling-relay");
  }
}
