package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.JdbcOutbox;
import dev.outbox.Ordering;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The producer side: what {@link JdbcOutbox} writes, and what it refuses to write. */
public abstract class EnlistContract extends OutboxContractSupport {

  /** Committed enlist is delivered and rolled back enlist is never. */
  @Test
  public final void committedEnlistIsDeliveredAndRolledBackEnlistIsNever() throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      outbox.add(c, OutboxMessage.of("orders", "k", "rolled back"));
      c.rollback();
      outbox.add(c, OutboxMessage.of("orders", "k", "committed"));
      c.commit();
    }
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender);
    drain(relay);
    assertThat(sender.received())
        .extracting(OutboxRecord::payloadAsString)
        .containsExactly("committed");
    assertThat(rowsWithStatus(1)).isEqualTo(1);
    assertThat(messageRows()).isEqualTo(1);
  }

  /** Sender receives the message id key payload and headers that were enlisted. */
  @Test
  public final void senderReceivesTheMessageIdKeyPayloadAndHeadersThatWereEnlisted()
      throws Exception {
    List<UUID> ids =
        enlist(
            OutboxMessage.builder("payments")
                .key("customer-7")
                .payload(new byte[] {0, 1, 2, (byte) 255})
                .header("type", "payment.captured")
                .header("quote\"and\\slash", "line\nbreak \u00e9")
                .build());
    RecordingSender sender = new RecordingSender();
    relay(sender).runOnce();
    OutboxRecord r = sender.received().get(0);
    assertThat(r.messageId()).isEqualTo(ids.get(0));
    assertThat(r.topic()).isEqualTo("payments");
    assertThat(r.key()).isEqualTo("customer-7");
    assertThat(r.payload()).containsExactly(0, 1, 2, 255);
    assertThat(r.headers())
        .containsEntry("type", "payment.captured")
        .containsEntry("quote\"and\\slash", "line\nbreak \u00e9");
    assertThat(r.attempt()).isEqualTo(1);
    assertThat(r.createdAt()).isNotNull();
  }

  /** Add all writes every message in order in one transaction. */
  @Test
  public final void addAllWritesEveryMessageInOrderInOneTransaction() throws Exception {
    List<UUID> ids = enlistMany(2500, "bulk", null);
    assertThat(ids).hasSize(2500).doesNotHaveDuplicates();
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relayBuilder(sender).batchSize(1000).ordering(Ordering.NONE).build();
    closeAfterTest(relay);
    drain(relay);
    assertThat(sender.received())
        .extracting(OutboxRecord::messageId)
        .containsExactlyElementsOf(ids);
  }

  /** Connection in auto commit mode is refused and nothing is written. */
  @Test
  public final void connectionInAutoCommitModeIsRefusedAndNothingIsWritten() throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      assertThatThrownBy(() -> outbox.add(c, OutboxMessage.of("orders", "k", "x")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auto-commit");
    }
    assertThat(messageRows()).isZero();
  }

  /** Blank topic is refused. */
  @Test
  public final void blankTopicIsRefused() {
    assertThatThrownBy(() -> OutboxMessage.builder(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> OutboxMessage.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic");
  }

  /** Overlong topic and key are refused naming the limit. */
  @Test
  public final void overlongTopicAndKeyAreRefusedNamingTheLimit() {
    String tooLong = "x".repeat(256);
    assertThatThrownBy(() -> OutboxMessage.builder(tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic")
        .hasMessageContaining("255");
    assertThatThrownBy(() -> OutboxMessage.builder("t").key(tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key")
        .hasMessageContaining("255");
  }

  /** Null header name or value is refused. */
  @Test
  public final void nullHeaderNameOrValueIsRefused() {
    assertThatThrownBy(() -> OutboxMessage.builder("t").header(null, "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header name");
    assertThatThrownBy(() -> OutboxMessage.builder("t").header("n", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header value");
  }

  /** Payload over the configured maximum is refused before anything is written. */
  @Test
  public final void payloadOverTheConfiguredMaximumIsRefusedBeforeAnythingIsWritten()
      throws Exception {
    JdbcOutbox small = outboxBuilder().maxPayloadBytes(10).build();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<OutboxMessage> batch =
          List.of(OutboxMessage.of("t", "k", "fits"), OutboxMessage.of("t", "k", "x".repeat(11)));
      assertThatThrownBy(() -> small.addAll(c, batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payload")
          .hasMessageContaining("11 bytes")
          .hasMessageContaining("10");
      c.commit();
    }
    assertThat(messageRows()).isZero();
  }

  /** Key with NUL or an unpaired surrogate is refused before anything is written. */
  @Test
  public final void keyWithNulOrAnUnpairedSurrogateIsRefusedBeforeAnythingIsWritten()
      throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      outbox.add(c, OutboxMessage.of("orders", "k", "before"));
      assertThatThrownBy(() -> outbox.add(c, OutboxMessage.of("orders", "k\u0000", "nul")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key must not contain NUL");
      assertThatThrownBy(() -> outbox.add(c, OutboxMessage.of("orders", "k\uD800", "half")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key is not well-formed UTF-16");
      outbox.add(c, OutboxMessage.of("orders", "k", "after")); // the transaction is still usable
      c.commit();
    }
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = relay(sender);
    drain(relay);
    assertThat(sender.received())
        .extracting(OutboxRecord::payloadAsString)
        .containsExactly("before", "after");
  }

  /** Table and schema names that are not plain identifiers are refused. */
  @Test
  public final void tableAndSchemaNamesThatAreNotPlainIdentifiersAreRefused() throws SQLException {
    assertThatThrownBy(() -> new OutboxTables(null, "outbox; drop table x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table name");
    assertThatThrownBy(() -> new OutboxTables("a\"b", OutboxTables.DEFAULT_TABLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema name");
    assertThatThrownBy(() -> new OutboxTables(null, "x".repeat(41)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("40");
    assertThatThrownBy(() -> new OutboxTables(null, "1abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table name");
    assertThatThrownBy(() -> JdbcOutbox.builder(dialect).tables(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("tables must not be null");
    assertThatThrownBy(() -> relayBuilder(new RecordingSender()).tables(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("tables must not be null");
    assertThat(messageRows()).isZero();
  }

  /** Migrations are idempotent and keep their own history table. */
  @Test
  public final void migrationsAreIdempotentAndKeepTheirOwnHistoryTable() throws Exception {
    assertThat(OutboxMigrations.migrate(dataSource, dialect, tables)).isZero();
    enlist(OutboxMessage.of("t", null, "still here"));
    assertThat(OutboxMigrations.migrate(dataSource, dialect, tables)).isZero();
    assertThat(messageRows()).isEqualTo(1);
    assertThat(
            queryLong(
                "SELECT count(*) FROM "
                    + tables.schema()
                    + "."
                    + tables.historyTable()
                    + " WHERE success"))
        .isPositive();
  }
}
