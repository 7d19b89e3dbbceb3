package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.testkit.OutboxContractSupport;
import dev.outbox.testkit.RecordingSender;
import dev.outbox.testkit.TestDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Row locks held by other transactions: skipped by claims, never waited on, classified right. */
class MySqlLockingIT extends OutboxContractSupport {

  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }

  @Test
  void claimSkipsARowLockedElsewhereAndHoldsBackItsKeyEvenInSerializableSessions()
      throws Exception {
    enlist(
        OutboxMessage.of("t", "k", "k-0"),
        OutboxMessage.of("t", "k", "k-1"),
        OutboxMessage.of("t", "j", "j-0"));
    HikariDataSource serializable = closeAfterTest(serializablePool());
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay =
        closeAfterTest(
            OutboxRelay.builder(serializable, dialect, sender).tables(tables).clock(clock).build());

    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      lockOldest(holder, "k");
      assertThat(relay.runOnce())
          .as("neither the locked row nor its key's next message, and no lock wait")
          .isEqualTo(1);
      assertThat(sender.received())
          .extracting(OutboxRecord::payloadAsString)
          .containsExactly("j-0");
      holder.rollback();
    }
    assertThat(relay.runOnce()).as("k's run, both messages in order").isEqualTo(2);
    assertThat(sender.received())
        .extracting(OutboxRecord::payloadAsString)
        .containsExactly("j-0", "k-0", "k-1");
  }

  @Test
  void producerTransactionLeftOpenStallsNeitherTheClaimNorAnyKindOfAck() throws Exception {
    RecordingSender sender =
        new RecordingSender()
            .answering(
                r ->
                    switch (r.payloadAsString()) {
                      case "ok" -> Outcome.sent(r);
                      case "flaky" -> Outcome.retry(r, new IOException("down"));
                      default -> Outcome.dead(r, "poison");
                    });
    OutboxRelay relay = relay(sender);
    try (Connection producer = dataSource.getConnection()) {
      producer.setAutoCommit(false);
      outbox.add(producer, OutboxMessage.of("t", null, "uncommitted"));
      enlist(
          OutboxMessage.of("t", null, "ok"),
          OutboxMessage.of("t", null, "flaky"),
          OutboxMessage.of("t", null, "poison"));
      assertThat(relay.runOnce()).isEqualTo(3);
      assertThat(rowsWithStatus(1)).isEqualTo(1);
      assertThat(deadRows()).isEqualTo(1);
      producer.commit();
    }
    assertThat(relay.runOnce()).as("the producer's message, once committed").isEqualTo(1);
    assertThat(sender.received())
        .extracting(OutboxRecord::payloadAsString)
        .containsExactly("ok", "flaky", "poison", "uncommitted");
  }

  @Test
  void lockWaitTimeoutIsTransientAndAMissingTableIsNot() throws Exception {
    enlist(OutboxMessage.of("t", "k", "x"));
    SQLException lockWait;
    try (Connection holder = dataSource.getConnection();
        Connection waiter = dataSource.getConnection();
        Statement s = waiter.createStatement()) {
      holder.setAutoCommit(false);
      lockOldest(holder, "k");
      s.execute("SET SESSION innodb_lock_wait_timeout = 1");
      lockWait = assertLockWaitFails(s);
      s.execute("SET SESSION innodb_lock_wait_timeout = DEFAULT");
      holder.rollback();
    }
    assertThat(dialect.isTransient(lockWait)).as(lockWait.toString()).isTrue();

    SQLException missing;
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      missing = assertFails(() -> s.executeQuery("SELECT 1 FROM " + tables.schema() + ".nope"));
    }
    assertThat(dialect.isTransient(missing)).as(missing.toString()).isFalse();
  }

  private SQLException assertLockWaitFails(Statement s) {
    return assertFails(
        () ->
            s.executeQuery("SELECT id FROM " + messageTable() + " WHERE msg_key = 'k' FOR UPDATE"));
  }

  private static SQLException assertFails(SqlCall call) {
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(call::run).isInstanceOf(SQLException.class).satisfies(t -> thrown[0] = t);
    return (SQLException) thrown[0];
  }

  @FunctionalInterface
  private interface SqlCall {
    void run() throws SQLException;
  }

  /**
   * Locks the oldest row with {@code key} in a new transaction on {@code c}, as another relay's
   * claim would: at READ COMMITTED, so the row and nothing around it.
   */
  private void lockOldest(Connection c, String key) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    }
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT id FROM "
                    + messageTable()
                    + " WHERE msg_key = '"
                    + key
                    + "' ORDER BY id LIMIT 1 FOR UPDATE")) {
      assertThat(rs.next()).isTrue();
    }
  }

  /**
   * A pool whose sessions default to SERIALIZABLE, where InnoDB turns plain reads in a transaction
   * into locking reads, and give up on a lock after 2 s instead of 50.
   */
  private HikariDataSource serializablePool() {
    HikariConfig config = ((MySqlTestDatabase) db).config(db.jdbcUrl(), "serializable", 2);
    config.setTransactionIsolation("TRANSACTION_SERIALIZABLE");
    config.setConnectionInitSql(
        "SET time_zone = '"
            + MySqlTestDatabase.SESSION_TIME_ZONE
            + "', innodb_lock_wait_timeout = 2");
    return new HikariDataSource(config);
  }
}
