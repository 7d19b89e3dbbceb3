package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.MaintenanceResult;
import dev.outbox.MaintenanceResult.KeepReason;
import dev.outbox.MaintenanceResult.Kept;
import dev.outbox.MaintenanceResult.Status;
import dev.outbox.OutboxMessage;
import dev.outbox.PartitionMaintenance;
import dev.outbox.PartitionMaintenanceException;
import dev.outbox.testkit.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * How partition maintenance locks on MySQL and MariaDB: the table lock keeps an uncommitted change
 * from being dropped, DDL gives up after its lock timeout instead of stalling producers, one
 * instance works at a time, the {@code GET_LOCK} lock is scoped to a database, and neither it nor a
 * table lock nor a changed {@code lock_wait_timeout} stays on a pooled connection.
 */
class MySqlPartitionLockingIT extends MySqlPartitionTestSupport {

  /**
   * A plain count cannot see an uncommitted change, and an {@code ALTER TABLE … DROP PARTITION}
   * issued after it would wait for that transaction's metadata lock and then drop the row it
   * committed. The job's table lock waits for the transaction before counting instead: while the
   * transaction stays open the run gives up after its lock timeout, and once it commits the count
   * sees its row and the partition is kept.
   */
  @Test
  void aTransactionThatMakesARowUnfinishedKeepsItsExpiredPartitionWhetherItCommitsLateOrSoon()
      throws Exception {
    UUID replayed = insertMessage(daysAgo(10), RowState.SENT);
    PartitionMaintenance fiveDaysEarlier =
        closeAfterTest(
            maintenanceBuilder().clock(new MutableClock(daysAgo(5))).partitionsAhead(10).build());
    assertThat(fiveDaysEarlier.runOnce().dropped()).as("not yet past the retention").isEmpty();
    PartitionMaintenance impatient =
        closeAfterTest(maintenanceBuilder().lockTimeout(Duration.ofSeconds(2)).build());
    PartitionMaintenance patient = closeAfterTest(maintenanceBuilder().lockTimeout(WAIT).build());

    try (Connection replay = dataSource.getConnection()) {
      replay.setAutoCommit(false);
      try (PreparedStatement ps =
          replay.prepareStatement(
              "UPDATE " + messageTable() + " SET status = 0 WHERE message_id = ?")) {
        ps.setString(1, replayed.toString());
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }

      MaintenanceResult timedOut = impatient.runOnce();

      assertThat(timedOut.status()).isEqualTo(Status.LOCK_TIMEOUT);
      assertThat(timedOut.dropped()).isEmpty();
      assertThat(timedOut.kept())
          .extracting(Kept::partition, Kept::reason)
          .containsExactly(tuple(daily(daysAgo(10)), KeepReason.LOCK_TIMEOUT));

      CompletableFuture<MaintenanceResult> run = CompletableFuture.supplyAsync(patient::runOnce);
      await("the job waits for the replaying transaction")
          .atMost(WAIT)
          .until(this::someoneWaitsForTheTable);
      replay.commit();

      MaintenanceResult r = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(Status.COMPLETED);
      assertThat(r.dropped()).isEmpty();
      assertThat(r.kept())
          .extracting(Kept::partition, Kept::reason, Kept::unfinishedMessages)
          .containsExactly(tuple(daily(daysAgo(10)), KeepReason.UNFINISHED_MESSAGES, 1L));
    }
    assertThat(messageIds()).containsExactly(replayed);
  }

  @Test
  void aLongTransactionMakesTheJobGiveUpAfterItsLockTimeoutWithoutStallingProducers()
      throws Exception {
    assertALongTransactionMakesTheJobGiveUpWithoutStallingProducers(this::someoneWaitsForTheTable);
  }

  @Test
  void twoInstancesAtOnceOneWorksAndTheOtherSkips() throws Exception {
    assertASecondInstanceSkipsWhileTheFirstWorks(this::someoneWaitsForTheTable);
  }

  @Test
  void theLockIsScopedToTheConnectionsDefaultDatabase() throws Exception {
    String otherDatabase = tables.schema() + "_lock";
    execute("CREATE DATABASE " + otherDatabase);
    long key = UUID.randomUUID().getMostSignificantBits();
    // Connections of their own: a pooled connection would keep the default database set here.
    try (Connection here = DriverManager.getConnection(db.jdbcUrl());
        Connection alsoHere = DriverManager.getConnection(db.jdbcUrl());
        Connection there = DriverManager.getConnection(db.jdbcUrl())) {
      here.setCatalog(tables.schema());
      alsoHere.setCatalog(tables.schema());
      there.setCatalog(otherDatabase);

      assertThat(dialect.partitions().tryLock(here, key)).isTrue();
      assertThat(dialect.partitions().tryLock(alsoHere, key)).isFalse();
      assertThat(dialect.partitions().tryLock(there, key))
          .as("the same key in another database is another lock")
          .isTrue();
      dialect.partitions().unlock(here, key);
      dialect.partitions().unlock(there, key);
      assertThatThrownBy(() -> dialect.partitions().unlock(alsoHere, key))
          .as("releasing a lock this session does not hold fails, so the job discards it")
          .isInstanceOf(SQLException.class);
    } finally {
      execute("DROP DATABASE " + otherDatabase);
    }
  }

  @Test
  void neitherTheMaintenanceLockNorATableLockNorItsTimeoutStaysOnAPooledConnection()
      throws Exception {
    HikariDataSource pool = closeAfterTest(db.dataSource("partitions-lock", 2));
    clock = new MutableClock(NOW);
    PartitionMaintenance job =
        closeAfterTest(
            PartitionMaintenance.builder(pool, dialect)
                .tables(tables)
                .clock(clock)
                .lockTimeout(Duration.ofMillis(500))
                .build());

    assertThat(job.runOnce().status()).isEqualTo(Status.COMPLETED);
    assertNothingLeftOn(pool, job.lockKey());

    try (Connection longTx = dataSource.getConnection()) {
      longTx.setAutoCommit(false);
      outbox.add(longTx, OutboxMessage.of("long", null, "holds the table"));
      clock.advance(Duration.ofDays(1));
      assertThat(job.runOnce().status()).isEqualTo(Status.LOCK_TIMEOUT);
      assertNothingLeftOn(pool, job.lockKey());
      longTx.rollback();
    }

    // Rename the last partition ahead to the name the next run wants for the day after it.
    Instant lastAhead = Instant.parse("2031-05-23T00:00:00Z");
    Instant dayAfter = lastAhead.plus(Duration.ofDays(1));
    execute(
        "ALTER TABLE "
            + messageTable()
            + " REORGANIZE PARTITION "
            + daily(lastAhead)
            + " INTO (PARTITION "
            + daily(dayAfter)
            + " VALUES LESS THAN ('"
            + Sql.utc(dayAfter)
            + "'))");
    assertThatThrownBy(job::runOnce)
        .isInstanceOf(PartitionMaintenanceException.class)
        .hasMessageContaining("already exists for another range");
    assertNothingLeftOn(pool, job.lockKey());

    execute("DROP TABLE " + messageTable());
    assertThatThrownBy(job::runOnce)
        .isInstanceOf(PartitionMaintenanceException.class)
        .hasMessageContaining("does not exist");
    assertNothingLeftOn(pool, job.lockKey());
  }

  /**
   * No session holds the job's {@code GET_LOCK}; every connection of {@code pool} has the server's
   * {@code lock_wait_timeout}; and no session holds a table lock on the message table (a read that
   * may wait one second would fail).
   */
  private void assertNothingLeftOn(DataSource pool, long key) throws SQLException {
    try (Connection a = pool.getConnection();
        Connection b = pool.getConnection()) {
      for (Connection c : List.of(a, b)) {
        assertThat(
                queryOn(
                    c,
                    "SELECT IS_USED_LOCK(?) IS NULL",
                    MaintenanceLock.name(queryOn(c, "SELECT DATABASE()"), key)))
            .as("the maintenance lock is free")
            .isEqualTo("1");
        assertThat(queryOn(c, "SELECT @@SESSION.lock_wait_timeout = @@GLOBAL.lock_wait_timeout"))
            .as("lock_wait_timeout is restored")
            .isEqualTo("1");
      }
    }
    if (tableCount(tables.schema(), tables.table()) == 0) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET SESSION lock_wait_timeout = 1");
      try {
        s.executeQuery("SELECT count(*) FROM " + messageTable()).close();
      } finally {
        s.execute("SET SESSION lock_wait_timeout = DEFAULT");
      }
    }
  }

  private static String queryOn(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}
