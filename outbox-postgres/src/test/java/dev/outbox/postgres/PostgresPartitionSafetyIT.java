package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.MaintenanceResult;
import dev.outbox.MaintenanceResult.Created;
import dev.outbox.MaintenanceResult.Dropped;
import dev.outbox.MaintenanceResult.Status;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionInterval;
import dev.outbox.PartitionMaintenance;
import dev.outbox.PartitionMaintenanceException;
import dev.outbox.spi.Partition;
import dev.outbox.testkit.PartitionContractSupport;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What only PostgreSQL can show: partitions are found through {@code pg_inherits} and never by
 * name, quoted names work, rows leave the DEFAULT partition while producers insert, the DDL gives
 * up after its lock timeout instead of stalling producers, and the advisory lock is transaction
 * scoped.
 */
class PostgresPartitionSafetyIT extends PartitionContractSupport {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @Test
  void tablesThatOnlyLookLikePartitionsSurviveEveryRun() throws Exception {
    String s = tables.schema();
    String t = tables.table();
    String otherSchema = s + "_other";
    insertMessage(daysAgo(10), RowState.SENT);
    execute("CREATE TABLE " + s + "." + t + "_2023_archive (id int)");
    execute("INSERT INTO " + s + "." + t + "_2023_archive VALUES (1)");
    execute("CREATE TABLE " + s + "." + daily(daysAgo(30)) + " (id int)");
    execute("CREATE SCHEMA " + otherSchema);
    try {
      execute("CREATE TABLE " + otherSchema + "." + daily(daysAgo(10)) + " (id int)");
      execute(
          "CREATE TABLE "
              + s
              + ".lookalike (created_at timestamptz) PARTITION BY RANGE (created_at)");
      execute(
          "CREATE TABLE "
              + s
              + "."
              + t
              + "_p20200101 PARTITION OF "
              + s
              + ".lookalike FOR VALUES FROM ('2020-01-01Z') TO ('2020-01-02Z')");
      PartitionMaintenance job = maintenance();

      MaintenanceResult r = job.runOnce();
      clock.advance(Duration.ofDays(400));
      MaintenanceResult yearLater = job.runOnce();

      assertThat(r.dropped()).extracting(Dropped::partition).containsExactly(daily(daysAgo(10)));
      assertThat(yearLater.dropped()).hasSize(4);
      for (String survivor :
          List.of(
              s + "." + t + "_2023_archive",
              s + "." + daily(daysAgo(30)),
              otherSchema + "." + daily(daysAgo(10)),
              s + "." + t + "_p20200101")) {
        assertThat(queryLong("SELECT count(*) FROM pg_class WHERE oid = to_regclass(?)", survivor))
            .as(survivor + " survives")
            .isEqualTo(1);
      }
      assertThat(queryLong("SELECT count(*) FROM " + s + "." + t + "_2023_archive")).isEqualTo(1);
    } finally {
      execute("DROP SCHEMA " + otherSchema + " CASCADE");
    }
  }

  @Test
  void aTableInTheWayOfANewPartitionFailsTheRunNamingItAndIsLeftAlone() throws Exception {
    String inTheWay = tables.schema() + "." + daily(NOW);
    execute("CREATE TABLE " + inTheWay + " (id int)");
    PartitionMaintenance job = maintenance();

    assertThatThrownBy(job::runOnce)
        .isInstanceOf(PartitionMaintenanceException.class)
        .hasMessageContaining(daily(NOW))
        .hasMessageContaining("is not a partition of it; rename or drop that table");
    assertThat(queryLong("SELECT count(*) FROM pg_class WHERE oid = to_regclass(?)", inTheWay))
        .isEqualTo(1);
  }

  @Test
  void mixedCaseTableInAMixedCaseSchemaIsMaintained() throws Exception {
    String schema = "Mixed_" + UUID.randomUUID().toString().substring(0, 8);
    OutboxTables mixed = new OutboxTables(schema, "Outbox_Mixed");
    OutboxMigrations.migrate(dataSource, dialect, mixed);
    OutboxMigrations.migrate(dataSource, dialect, new OutboxTables(schema, "outbox_mixed"));
    try {
      execute(
          "INSERT INTO \""
              + schema
              + "\".\"Outbox_Mixed\" (message_id, topic, payload, created_at, status,"
              + " next_attempt_at) VALUES (gen_random_uuid(), 't', 'x', '"
              + daysAgo(10)
              + "', 1, now())");
      PartitionMaintenance job = closeAfterTest(maintenanceBuilder().tables(mixed).build());

      MaintenanceResult r = job.runOnce();

      String old = PartitionInterval.DAILY.partitionName("Outbox_Mixed", daysAgo(10));
      assertThat(r.created()).extracting(Created::partition).contains(old);
      assertThat(r.dropped()).extracting(Dropped::partition).containsExactly(old);
      List<Partition> partitions;
      try (Connection c = dataSource.getConnection()) {
        partitions = dialect.partitions().partitions(c, mixed);
        assertThat(dialect.partitions().partitions(c, new OutboxTables(schema, "outbox_mixed")))
            .as("the lower-case twin is a different table and keeps only its DEFAULT partition")
            .extracting(Partition::name)
            .containsExactly("outbox_mixed_default");
      }
      assertThat(partitions).extracting(Partition::schema).containsOnly(schema);
      assertThat(partitions)
          .extracting(Partition::name)
          .contains(
              "Outbox_Mixed_default", PartitionInterval.DAILY.partitionName("Outbox_Mixed", NOW));
    } finally {
      execute("DROP SCHEMA \"" + schema + "\" CASCADE");
    }
  }

  @Test
  void rowsLeaveTheDefaultPartitionWithoutLossOrDuplicatesWhileProducersKeepInserting()
      throws Exception {
    runTheJobWhileProducersKeepInserting();
    assertThat(queryLong("SELECT count(*) FROM " + messageTable() + "_default"))
        .as("nothing is left in the DEFAULT partition")
        .isZero();
  }

  @Test
  void aLongTransactionMakesTheJobGiveUpAfterItsLockTimeoutWithoutStallingProducers()
      throws Exception {
    assertALongTransactionMakesTheJobGiveUpWithoutStallingProducers(
        this::someoneWaitsForTheTableLock);
  }

  @Test
  void twoInstancesAtOnceOneWorksAndTheOtherSkips() throws Exception {
    assertASecondInstanceSkipsWhileTheFirstWorks(this::someoneWaitsForTheTableLock);
  }

  @Test
  void theAdvisoryLockNeverStaysOnAPooledConnection() throws Exception {
    HikariDataSource pool = closeAfterTest(db.dataSource("partitions-lock", 2));
    PartitionMaintenance job =
        closeAfterTest(
            PartitionMaintenance.builder(pool, dialect)
                .tables(tables)
                .clock(clock)
                .lockTimeout(Duration.ofMillis(500))
                .build());

    assertThat(job.runOnce().status()).isEqualTo(Status.COMPLETED);
    assertNothingHeldBy("partitions-lock", job.lockKey());

    try (Connection longTx = dataSource.getConnection()) {
      longTx.setAutoCommit(false);
      execute(longTx, "LOCK TABLE ONLY " + messageTable() + " IN SHARE MODE");
      clock.advance(Duration.ofDays(1));
      assertThat(job.runOnce().status()).isEqualTo(Status.LOCK_TIMEOUT);
      assertNothingHeldBy("partitions-lock", job.lockKey());
      longTx.rollback();
    }

    execute("DROP TABLE " + messageTable());
    assertThatThrownBy(job::runOnce)
        .isInstanceOf(PartitionMaintenanceException.class)
        .hasMessageContaining("does not exist");
    assertNothingHeldBy("partitions-lock", job.lockKey());
  }

  private void assertNothingHeldBy(String applicationName, long key) throws SQLException {
    assertThat(
            queryLong(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1"
                    + " AND classid::bigint = ? AND objid::bigint = ?",
                key >>> 32,
                key & 0xFFFFFFFFL))
        .as("advisory locks with the job's key")
        .isZero();
    assertThat(
            queryLong(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?"
                    + " AND state LIKE 'idle in transaction%'",
                applicationName))
        .as("pooled connections left in a transaction")
        .isZero();
  }

  private boolean someoneWaitsForTheTableLock() {
    return unchecked(
            () ->
                queryLong(
                    "SELECT count(*) FROM pg_locks WHERE relation = to_regclass(?)"
                        + " AND mode = 'AccessExclusiveLock' AND NOT granted",
                    messageTable()))
        > 0;
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
