package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.testkit.RoundTrip.Expected;
import dev.outbox.testkit.RoundTrip.Received;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link Sender} must do against its real broker, relayed from a real database: a
 * subclass names the broker (a fresh destination per test, the sender, a way to read back what
 * arrived) and the database, and inherits the tests. The tests check the {@code Sender} contract of
 * the README: one outcome per record and for that record, an empty batch answered with no outcomes,
 * and a relayed backlog that arrives once per message, each key in id order, with the message id,
 * the key, the headers (W3C {@code traceparent} included) and the payload.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SenderContract {
  private static final AtomicInteger TABLES = new AtomicInteger();

  private TestDatabase db;
  private HikariDataSource dataSource;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** The destination of the current test: a topic, an exchange, … */
  private String destination;

  /** A database for the outbox tables the round trips relay from; closed after the class. */
  protected abstract TestDatabase openDatabase();

  /** Creates a fresh destination the test's messages go to, and returns its name. */
  protected abstract String freshDestination() throws Exception;

  /** The sender under test, named {@code name}; closed after the test if it is closeable. */
  protected abstract Sender newSender(String name) throws Exception;

  /**
   * What reached {@code destination}, read until {@code distinct} message ids arrived or {@code
   * timeout} passed (then it fails).
   */
  protected abstract List<Received> consume(String destination, int distinct, Duration timeout)
      throws Exception;

  @BeforeAll
  void openTheDatabase() {
    db = openDatabase();
    dataSource = db.dataSource("sender-contract", 4);
  }

  @AfterAll
  void closeTheDatabase() {
    if (dataSource != null) {
      dataSource.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void freshDestinationForTheTest() throws Exception {
    destination = freshDestination();
  }

  @AfterEach
  void closeWhatTheTestOpened() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    toClose.clear();
  }

  private Sender sender(String name) throws Exception {
    Sender sender = newSender(name);
    if (sender instanceof AutoCloseable closeable) {
      toClose.add(closeable);
    }
    return sender;
  }

  /** A relayed backlog arrives once per message, in id order within each key, with everything. */
  @Test
  public final void aRelayedBacklogArrivesOncePerMessageInKeyOrderWithIdsKeysHeadersAndPayloads()
      throws Exception {
    OutboxTables tables =
        new OutboxTables(db.schema(), "outbox_sender_" + TABLES.incrementAndGet());
    OutboxMigrations.migrate(dataSource, db.dialect(), tables);
    JdbcOutbox outbox = JdbcOutbox.builder(db.dialect()).tables(tables).build();
    Map<UUID, Expected> expected =
        RoundTrip.enlist(dataSource, outbox, destination, RoundTrip.MESSAGES);
    OutboxRelay relay =
        RoundTrip.relay(dataSource, db.dialect(), tables, sender("contract"))
            .name("sender-contract")
            .build();
    toClose.add(relay);
    relay.start();

    List<Received> received = consume(destination, RoundTrip.MESSAGES, Duration.ofSeconds(90));

    RoundTrip.assertAllArrivedInKeyOrder(expected, received);
    assertThat(received)
        .as("no message arrived twice without a failure")
        .hasSize(RoundTrip.MESSAGES);
    await("every message acknowledged as sent")
        .atMost(Duration.ofSeconds(15))
        .until(() -> sentRows(tables) == RoundTrip.MESSAGES);
  }

  /** An empty batch is answered with no outcomes. */
  @Test
  public final void anEmptyBatchIsAnsweredWithNoOutcomes() throws Exception {
    List<Outcome> outcomes =
        sender("contract-empty").send(List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(outcomes).isEmpty();
  }

  /** Each record of a batch gets exactly one outcome, for itself; a healthy broker takes all. */
  @Test
  public final void everyRecordOfABatchGetsOneOutcomeForItself() throws Exception {
    List<OutboxRecord> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(
          new OutboxRecord(
              1_000_000L + i,
              UUID.randomUUID(),
              destination,
              i % 3 == 0 ? null : "key-" + (i % 4),
              ("payload " + i).getBytes(StandardCharsets.UTF_8),
              Map.of("seq", Integer.toString(i)),
              Instant.now(),
              1));
    }

    List<Outcome> outcomes =
        sender("contract-batch").send(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);

    assertThat(outcomes).hasSize(batch.size());
    assertThat(outcomes)
        .extracting(Outcome::recordId)
        .containsExactlyInAnyOrderElementsOf(batch.stream().map(OutboxRecord::id).toList());
    assertThat(outcomes).extracting(Outcome::status).containsOnly(Outcome.Status.SENT);
    assertThat(RoundTrip.distinctIds(consume(destination, batch.size(), Duration.ofSeconds(60))))
        .as("every record reached the broker")
        .hasSize(batch.size());
  }

  private long sentRows(OutboxTables tables) throws SQLException {
    String table = tables.schema() + "." + tables.table();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE status = 1")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
