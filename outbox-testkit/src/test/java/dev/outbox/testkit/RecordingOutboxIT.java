package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.DuplicateMessageException;
import dev.outbox.OnDuplicate;
import dev.outbox.OutboxMessage;
import dev.outbox.PayloadCodec;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The test double applications use for their own unit tests, on a real PostgreSQL connection: it
 * records what is enlisted, refuses what {@code JdbcOutbox} refuses, and writes nothing.
 */
class RecordingOutboxIT {
  private Connection connection;

  @BeforeEach
  void connect() throws SQLException {
    String url =
        TestServers.find(
            "OUTBOX_TEST_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres",
            () -> null,
            "PostgreSQL");
    connection = DriverManager.getConnection(url);
    connection.setAutoCommit(false);
  }

  @AfterEach
  void close() throws SQLException {
    connection.rollback();
    connection.close();
  }

  @Test
  void recordsWhatWasEnlistedInOrderWithTheIdsAddReturned() {
    RecordingOutbox outbox = RecordingOutbox.create();

    UUID first =
        outbox.add(
            connection,
            OutboxMessage.builder("orders")
                .key("customer-1")
                .payload("{\"orderId\":1}")
                .header("type", "order.created")
                .build());
    List<UUID> more =
        outbox.addAll(
            connection,
            List.of(
                OutboxMessage.of("billing", "invoice-7", "paid"),
                OutboxMessage.of("orders", null, "second")));

    assertThat(outbox.enlisted())
        .extracting(RecordingOutbox.Enlisted::messageId)
        .containsExactly(first, more.get(0), more.get(1));
    RecordingOutbox.Enlisted created = outbox.enlisted().get(0);
    assertThat(created.topic()).isEqualTo("orders");
    assertThat(created.key()).isEqualTo("customer-1");
    assertThat(created.payloadAsString()).isEqualTo("{\"orderId\":1}");
    assertThat(created.headers()).containsEntry("type", "order.created");
    assertThat(created.connection()).isSameAs(connection);
    assertThat(outbox.enlisted("orders"))
        .extracting(RecordingOutbox.Enlisted::payloadAsString)
        .containsExactly("{\"orderId\":1}", "second");
    assertThat(outbox.enlisted("billing"))
        .singleElement()
        .satisfies(m -> assertThat(m.key()).isEqualTo("invoice-7"));

    outbox.clear();
    assertThat(outbox.enlisted()).isEmpty();
  }

  @Test
  void writesNothingThroughTheConnection() throws SQLException {
    RecordingOutbox.create().add(connection, OutboxMessage.of("orders", "k", "p"));

    // PostgreSQL gives a transaction an id only when it writes.
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT txid_current_if_assigned()")) {
      rs.next();
      assertThat(rs.getObject(1)).isNull();
    }
  }

  @Test
  void refusesAConnectionInAutoCommitModeAndRecordsNothing() throws SQLException {
    RecordingOutbox outbox = RecordingOutbox.create();
    connection.setAutoCommit(true);

    assertThatThrownBy(() -> outbox.add(connection, OutboxMessage.of("orders", "k", "p")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("auto-commit");
    assertThat(outbox.enlisted()).isEmpty();
    connection.setAutoCommit(false);
  }

  @Test
  void refusesAPayloadOverTheLimitAndRecordsNothingOfItsBatch() {
    RecordingOutbox outbox = RecordingOutbox.builder().maxPayloadBytes(10).build();

    assertThatThrownBy(
            () ->
                outbox.addAll(
                    connection,
                    List.of(
                        OutboxMessage.of("orders", "k", "small"),
                        OutboxMessage.of("orders", "k", "far too large"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("13 bytes")
        .hasMessageContaining("maxPayloadBytes");
    assertThat(outbox.enlisted()).isEmpty();
  }

  @Test
  void badSettingsAreRefusedAtBuildNamingTheSetting() {
    assertThatThrownBy(() -> RecordingOutbox.builder().maxPayloadBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPayloadBytes");
  }

  @Test
  void theClockStampsWhenAMessageWouldBecomeDue() {
    Instant at = Instant.parse("2026-01-02T03:04:05.123456Z");
    RecordingOutbox outbox =
        RecordingOutbox.builder().clock(Clock.fixed(at, ZoneOffset.UTC)).build();

    outbox.add(connection, OutboxMessage.of("orders", "k", "p"));

    assertThat(outbox.enlisted().get(0).availableAt()).isEqualTo(at);
  }

  @Test
  void aTypedValueIsEncodedWithTheConfiguredCodec() {
    RecordingOutbox outbox =
        RecordingOutbox.builder()
            .payloadCodec(
                PayloadCodec.of("text/plain", v -> v.toString().getBytes(StandardCharsets.UTF_8)))
            .build();

    outbox.add(connection, "orders", "o-1", 42);

    assertThat(outbox.enlisted())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.payloadAsString()).isEqualTo("42");
              assertThat(m.headers()).containsEntry("content-type", "text/plain");
            });
    assertThatThrownBy(() -> RecordingOutbox.create().add(connection, "orders", "o-1", 42))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("payloadCodec");
  }

  @Test
  void aSecondMessageWithARecordedIdempotencyKeyIsNotRecordedAgain() {
    RecordingOutbox outbox = RecordingOutbox.create();
    OutboxMessage first = OutboxMessage.builder("orders").payload("a").idempotencyKey("k").build();
    UUID id = outbox.add(connection, first);
    assertThat(outbox.add(connection, first)).isEqualTo(id);
    assertThat(outbox.enlisted()).hasSize(1);

    RecordingOutbox refusing = RecordingOutbox.builder().onDuplicate(OnDuplicate.REFUSE).build();
    UUID refusedFirst = refusing.add(connection, first);
    assertThatThrownBy(() -> refusing.add(connection, first))
        .isInstanceOfSatisfying(
            DuplicateMessageException.class,
            e -> assertThat(e.firstMessageId()).isEqualTo(refusedFirst));
    refusing.clear();
    assertThat(refusing.add(connection, first)).isNotEqualTo(refusedFirst);
  }

  @Test
  void aScheduledMessageIsRecordedWithItsTime() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    RecordingOutbox outbox =
        RecordingOutbox.builder().clock(Clock.fixed(t0, ZoneOffset.UTC)).build();
    outbox.add(
        connection,
        OutboxMessage.builder("orders")
            .payload("later")
            .delay(java.time.Duration.ofMinutes(5))
            .build());
    assertThat(outbox.enlisted().get(0).availableAt()).isEqualTo(t0.plusSeconds(300));
  }
}
