package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.inbox.Inbox;
import dev.outbox.inbox.InboxException;
import dev.outbox.spi.DedupRing;
import dev.outbox.testkit.InboxContractSupport;
import dev.outbox.testkit.MutableClock;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What docs/inbox.md says about PostgreSQL's stricter isolation levels and about retention's locks:
 * a concurrent duplicate surfaces as a serialization failure, never as a second first time, and
 * retention skips a slot a transaction still uses instead of waiting for it.
 */
class PostgresInboxIsolationIT extends InboxContractSupport {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  /** The other delivery commits while this one waits at the insert. */
  @ParameterizedTest
  @ValueSource(ints = {Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_SERIALIZABLE})
  void aDuplicateCommittedWhileWaitingIsASerializationFailure(int isolation) throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    ExecutorService second = Executors.newSingleThreadExecutor();
    try (Connection first = begin(isolation);
        Connection other = begin(isolation)) {
      queryLong(other, "SELECT count(*) FROM " + db.schema() + ".inbox_effect"); // its snapshot
      assertThat(inbox.firstTime(first, "billing", "m-1")).isTrue();
      Future<Boolean> waiting = second.submit(() -> inbox.firstTime(other, "billing", "m-1"));
      Thread.sleep(300);
      assertThat(waiting).isNotDone();
      applyEffect(first, "billing", "m-1");
      first.commit();
      assertSerializationFailure(waiting);
      other.rollback();
      assertThat(inbox.firstTime(other, "billing", "m-1")).as("retried").isFalse();
      other.commit();
    } finally {
      second.shutdownNow();
    }
    assertThat(effects("billing", "m-1")).isEqualTo(1);
  }

  /** The other delivery committed after this transaction's snapshot, before it recorded. */
  @ParameterizedTest
  @ValueSource(ints = {Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_SERIALIZABLE})
  void aDuplicateCommittedAfterTheSnapshotIsASerializationFailure(int isolation) throws Exception {
    Inbox inbox = inbox(WINDOW, clock);
    try (Connection first = begin(isolation);
        Connection other = begin(isolation)) {
      queryLong(other, "SELECT count(*) FROM " + db.schema() + ".inbox_effect");
      assertThat(inbox.firstTime(first, "billing", "m-1")).isTrue();
      first.commit();
      assertThatThrownBy(() -> inbox.firstTime(other, "billing", "m-1"))
          .isInstanceOfSatisfying(
              InboxException.class,
              e -> {
                assertThat(e.isTransient()).isTrue();
                assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("40001");
              });
      other.rollback();
      assertThat(inbox.firstTime(other, "billing", "m-1")).isFalse();
      other.commit();
    }
  }

  /**
   * A transaction still reading an expired slot keeps retention from truncating it: the run skips
   * it after the lock timeout, truncates the others, and the next run takes it.
   */
  @Test
  void expireSkipsASlotInUseAndTakesItNextTime() throws Exception {
    MutableClock at = new MutableClock(bucketStart(100).plusSeconds(1));
    Inbox inbox = inbox(WINDOW, at);
    assertThat(firstTime(inbox, "billing", "a")).isTrue(); // buckets 100 and 99
    at.advance(WINDOW.multipliedBy(3)); // bucket 103: both rows expired
    int slot = DedupRing.slot(DedupRing.bucket(bucketStart(100), WINDOW));
    try (Connection reader = begin(Connection.TRANSACTION_READ_COMMITTED)) {
      queryLong(reader, "SELECT count(*) FROM " + qualified(inbox) + " WHERE slot = " + slot);
      long started = System.nanoTime();
      assertThat(inbox.expire()).as("only the slot of bucket 99").isEqualTo(1);
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("waited about the lock timeout, not for the reader")
          .isLessThan(Duration.ofSeconds(5));
      reader.commit();
    }
    assertThat(inbox.expire()).as("the slot of bucket 100, now free").isEqualTo(1);
    assertThat(rows(inbox, "billing", "a")).isZero();
  }

  private Connection begin(int isolation) throws SQLException {
    Connection c = dataSource.getConnection();
    c.setAutoCommit(false);
    c.setTransactionIsolation(isolation);
    return c;
  }

  private static void assertSerializationFailure(Future<Boolean> waiting) {
    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            InboxException.class,
            e -> {
              assertThat(e.isTransient()).isTrue();
              assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("40001");
            });
  }
}
