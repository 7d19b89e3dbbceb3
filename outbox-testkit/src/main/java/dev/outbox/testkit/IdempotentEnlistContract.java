package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.DuplicateMessageException;
import dev.outbox.JdbcOutbox;
import dev.outbox.OnDuplicate;
import dev.outbox.OutboxMessage;
import dev.outbox.PartitionMaintenance;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Idempotent enlist ({@link OutboxMessage.Builder#idempotencyKey}): a second message with a key the
 * outbox table has seen within its window is not written, whether it comes in another transaction,
 * in the same call, or at the same moment from another connection; a key whose transaction rolled
 * back was never seen; and partition maintenance empties the keys that expired.
 */
public abstract class IdempotentEnlistContract extends OutboxContractSupport {

  private static OutboxMessage keyed(String idempotencyKey, String payload) {
    return OutboxMessage.builder("orders").payload(payload).idempotencyKey(idempotencyKey).build();
  }

  /** Enlists {@code message} through {@code outbox} in a committed transaction. */
  private UUID enlistWith(JdbcOutbox outbox, OutboxMessage message) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      UUID id = outbox.add(c, message);
      c.commit();
      return id;
    }
  }

  private long idempotencyRows(String key) throws SQLException {
    return queryLong(
        "SELECT count(*) FROM " + qualified(tables.idempotencyTable()) + " WHERE dedup_key = ?",
        key);
  }

  private String qualified(String table) {
    return tables.schema() == null ? table : tables.schema() + "." + table;
  }

  @Test
  public final void aSecondEnlistWithTheKeyReturnsTheFirstMessagesId() throws Exception {
    UUID first = enlistWith(outbox, keyed("order-1", "first"));
    UUID second = enlistWith(outbox, keyed("order-1", "second"));
    UUID other = enlistWith(outbox, keyed("order-2", "other"));

    assertThat(second).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(messageRows()).isEqualTo(2);
    assertThat(queryString("SELECT message_id FROM " + messageTable() + " ORDER BY id LIMIT 1"))
        .isEqualTo(first.toString());
  }

  @Test
  public final void refusedDuplicatesNameTheFirstMessage() throws Exception {
    JdbcOutbox refusing = outboxBuilder().onDuplicate(OnDuplicate.REFUSE).build();
    UUID first = enlistWith(refusing, keyed("order-1", "first"));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> refusing.add(c, keyed("order-1", "second")))
          .isInstanceOfSatisfying(
              DuplicateMessageException.class,
              e -> {
                assertThat(e.firstMessageId()).isEqualTo(first);
                assertThat(e.idempotencyKey()).isEqualTo("order-1");
                assertThat(e.getMessage()).contains("order-1", first.toString(), "roll");
              });
      c.rollback();
    }
    assertThat(messageRows()).isEqualTo(1);
  }

  @Test
  public final void aKeyWhoseTransactionRolledBackWasNeverSeen() throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      outbox.add(c, keyed("order-1", "rolled back"));
      c.rollback();
    }
    UUID id = enlistWith(outbox, keyed("order-1", "committed"));
    assertThat(messageRows()).isEqualTo(1);
    assertThat(queryString("SELECT message_id FROM " + messageTable())).isEqualTo(id.toString());
  }

  @Test
  public final void theSameKeyTwiceInOneCallIsWrittenOnce() throws Exception {
    List<UUID> ids;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      ids =
          outbox.addAll(
              c,
              List.of(
                  keyed("order-1", "a"),
                  OutboxMessage.of("orders", null, "b"),
                  keyed("order-1", "c"),
                  keyed("order-2", "d")));
      c.commit();
    }
    assertThat(ids).hasSize(4);
    assertThat(ids.get(2)).isEqualTo(ids.get(0));
    assertThat(ids.get(1)).isNotEqualTo(ids.get(0));
    assertThat(ids.get(3))
        .as("a new key after a duplicate, on the same connection")
        .isNotIn(ids.subList(0, 3));
    assertThat(messageRows()).isEqualTo(3);
  }

  /**
   * Eight connections enlist the same key at once, each beside a business row in its transaction:
   * one message is written, every caller gets its id, and the business rows all commit.
   */
  @Test
  public final void concurrentEnlistsWithOneKeyWriteOneMessage() throws Exception {
    execute("CREATE TABLE " + qualified(tables.table() + "_biz") + " (id INT NOT NULL)");
    int callers = 8;
    for (int round = 0; round < 5; round++) {
      String key = "order-" + round;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      List<Future<UUID>> results = new ArrayList<>();
      try {
        for (int i = 0; i < callers; i++) {
          int caller = i;
          results.add(
              pool.submit(
                  () -> {
                    try (Connection c = dataSource.getConnection()) {
                      c.setAutoCommit(false);
                      try (Statement s = c.createStatement()) {
                        s.execute(
                            "INSERT INTO "
                                + qualified(tables.table() + "_biz")
                                + " VALUES ("
                                + caller
                                + ")");
                      }
                      start.await();
                      UUID id = outbox.add(c, keyed(key, "from " + caller));
                      c.commit();
                      return id;
                    }
                  }));
        }
        start.countDown();
        Set<UUID> ids = ConcurrentHashMap.newKeySet();
        for (Future<UUID> f : results) {
          ids.add(f.get(60, TimeUnit.SECONDS));
        }
        assertThat(ids).as("round " + round + ": every caller got the one message's id").hasSize(1);
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(messageRows()).isEqualTo(5);
    assertThat(queryLong("SELECT count(*) FROM " + qualified(tables.table() + "_biz")))
        .isEqualTo(5L * callers);
  }

  /**
   * The window on the outbox's clock: still a duplicate just before it ends, a new message once
   * twice the window has passed.
   */
  @Test
  public final void aKeyIsForgottenAfterTheWindow() throws Exception {
    JdbcOutbox hourly = outboxBuilder().idempotencyWindow(Duration.ofHours(1)).build();
    UUID first = enlistWith(hourly, keyed("order-1", "first"));
    clock.advance(Duration.ofMinutes(59));
    assertThat(enlistWith(hourly, keyed("order-1", "59 min later"))).isEqualTo(first);
    clock.advance(Duration.ofMinutes(61));
    UUID later = enlistWith(hourly, keyed("order-1", "2 h later"));
    assertThat(later).isNotEqualTo(first);
    assertThat(messageRows()).isEqualTo(2);
  }

  /** Partition maintenance empties the idempotency keys that expired and keeps the live ones. */
  @Test
  public final void maintenanceEmptiesExpiredKeys() throws Exception {
    JdbcOutbox hourly = outboxBuilder().idempotencyWindow(Duration.ofHours(1)).build();
    UUID old = enlistWith(hourly, keyed("order-old", "old"));
    clock.advance(Duration.ofHours(3));
    enlistWith(hourly, keyed("order-new", "new"));
    assertThat(idempotencyRows("order-old")).isEqualTo(2);

    PartitionMaintenance maintenance =
        closeAfterTest(
            PartitionMaintenance.builder(dataSource, dialect)
                .tables(tables)
                .clock(clock)
                .lockKey(UUID.randomUUID().getMostSignificantBits())
                .build());
    maintenance.runOnce();
    // PostgreSQL empties whole slots: an expired row may wait in a slot that holds a live one.
    assertThat(idempotencyRows("order-old")).as("expired rows left").isLessThan(2);
    assertThat(idempotencyRows("order-new")).as("live rows left").isEqualTo(2);
    assertThat(enlistWith(hourly, keyed("order-old", "again"))).isNotEqualTo(old);
    assertThat(messageRows()).isEqualTo(3);
  }

  @Test
  public final void badKeysAndWindowsAreRefusedByName() {
    assertThatThrownBy(() -> OutboxMessage.builder("t").idempotencyKey(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idempotencyKey");
    assertThatThrownBy(() -> OutboxMessage.builder("t").idempotencyKey("x".repeat(256)))
        .hasMessageContaining("idempotencyKey is 256 characters long; the limit is 255");
    assertThatThrownBy(() -> outboxBuilder().idempotencyWindow(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window");
  }
}
