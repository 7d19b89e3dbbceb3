package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRelay;
import dev.outbox.testkit.OutboxContractSupport;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.RelayThreads;
import dev.outbox.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

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
                .tables(tables)
                .clock(clock)
                .name("polling")
                .pollInterval(Duration.ofMillis(300))
                .build());
    relay.start();
    dev.outbox.JdbcOutbox quiet =
        dev.outbox.JdbcOutbox.builder(polling).tables(tables).clock(clock).build();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      quiet.add(c, OutboxMessage.of("t", "k", "polled"));
      c.commit();
    }
    sender.awaitReceived(1, Duration.ofSeconds(5));
    assertThat(RelayThreads.named("polling"))
        .contains("outbox-polling-relay")
        .doesNotContain("outbox-polling-listen");
  }

  @Test
  void aCommitInAnotherJvmWakesASleepingRelay() throws Exception {
    RecordingSender sender = new RecordingSender();
    closeAfterTest(
            relayBuilder(sender)
                .name("other-jvm")
                .clock(Clock.systemUTC()) // the other JVM enlists on its system clock
                .pollInterval(Duration.ofMinutes(5))
                .build())
        .start();
    Thread.sleep(4_000); // the relay's idle wait grows past a second
    Process producer =
        EnlistProcess.start(db.jdbcUrl(), tables.schema(), tables.table(), "from afar");
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(producer.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder before = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null && !line.equals("COMMITTED")) {
        before.append(line).append('\n'); // the JVM's start-up output, or why it failed
      }
      assertThat(line).as("the producer committed; it printed:%n%s", before).isEqualTo("COMMITTED");
      long committedAt = System.nanoTime();
      sender.awaitReceived(1, Duration.ofSeconds(2));
      assertThat(Duration.ofNanos(System.nanoTime() - committedAt))
          .isLessThan(Duration.ofSeconds(1));
    } finally {
      producer.destroyForcibly();
    }
    assertThat(sender.received().get(0).payloadAsString()).isEqualTo("from afar");
  }

  /** Counts the notifications on the outbox channel of this test's table. */
  private final class ChannelCounter implements AutoCloseable {
    private final Connection c;

    ChannelCounter() throws Exception {
      c = dataSource.getConnection();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("LISTEN " + PostgresDialect.quote(PostgresDialect.channel(tables)));
      }
    }

    int drain() throws Exception {
      int n = 0;
      PGNotification[] got;
      while ((got = c.unwrap(PGConnection.class).getNotifications(300)) != null && got.length > 0) {
        n += got.length;
      }
      return n;
    }

    @Override
    public void close() throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("UNLISTEN *");
      }
      c.close();
    }
  }

  private JdbcOutbox producer(PostgresDialect d) {
    return JdbcOutbox.builder(d).tables(tables).clock(clock).build();
  }

  private void enlistOneByOne(JdbcOutbox producer, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        producer.add(c, OutboxMessage.of("t", "k", "m-" + i));
        c.commit();
      }
    }
  }

  @Test
  void enlistsWithinTheNotifyWindowShareOneNotifyAndAreStillDeliveredPromptly() throws Exception {
    RecordingSender sender = new RecordingSender();
    closeAfterTest(
            relayBuilder(sender).name("windowed").pollInterval(Duration.ofMinutes(5)).build())
        .start();
    Thread.sleep(3_000); // the relay's idle wait grows past a second
    JdbcOutbox windowed = producer(new PostgresDialect().withNotifyWindow(Duration.ofSeconds(1)));
    try (ChannelCounter counter = new ChannelCounter()) {
      long start = System.nanoTime();
      enlistOneByOne(windowed, 20);
      long lastCommit = System.nanoTime();
      assertThat(Duration.ofNanos(lastCommit - start))
          .as("the enlists fit in the window")
          .isLessThan(Duration.ofSeconds(1));
      sender.awaitReceived(20, Duration.ofSeconds(3));
      assertThat(Duration.ofNanos(System.nanoTime() - lastCommit))
          .as("the last message, which sent no NOTIFY, still went out within a second")
          .isLessThan(Duration.ofSeconds(1));
      assertThat(counter.drain()).as("one NOTIFY for 20 commits in one window").isEqualTo(1);
    }
  }

  @Test
  void aZeroWindowNotifiesWithEveryCommit() throws Exception {
    JdbcOutbox everyCommit = producer(new PostgresDialect().withNotifyWindow(Duration.ZERO));
    try (ChannelCounter counter = new ChannelCounter()) {
      enlistOneByOne(everyCommit, 20);
      assertThat(counter.drain()).isEqualTo(20);
    }
  }
}
