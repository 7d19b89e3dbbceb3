package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.outbox.MaintenanceResult;
import dev.outbox.MaintenanceResult.Created;
import dev.outbox.MaintenanceResult.Dropped;
import dev.outbox.MaintenanceResult.Status;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionInterval;
import dev.outbox.PartitionMaintenance;
import dev.outbox.PartitionMaintenanceException;
import dev.outbox.spi.Partition;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What only MySQL and MariaDB can show about partitions themselves: they come from {@code
 * information_schema} and never from names, look-alike tables and other databases' outboxes are
 * never touched, and rows are split off the {@code MAXVALUE} partition to the microsecond, without
 * loss or duplicates, while producers insert.
 */
class MySqlPartitionSafetyIT extends MySqlPartitionTestSupport {

  @Test
  void rowsAreSplitOffTheCatchAllPartitionExactlyAtMicrosecondBoundaries() throws Exception {
    PartitionMaintenance job = maintenance();
    assertThat(job.runOnce().created()).hasSize(4);
    Instant lastOfDay = Instant.parse("2031-05-23T23:59:59.999999Z");
    Instant midnight = Instant.parse("2031-05-24T00:00:00Z");
    Instant later = Instant.parse("2031-05-25T12:00:00.000001Z");
    Set<UUID> written =
        Set.of(
            insertMessage(lastOfDay, RowState.SENT),
            insertMessage(midnight, RowState.PENDING),
            insertMessage(later, RowState.LEASED));
    assertThat(rowsIn("p_max")).as("the catch-all takes rows beyond the partitions").isEqualTo(2);

    clock.advance(Duration.ofDays(1));
    MaintenanceResult r = job.runOnce();

    assertThat(r.created())
        .extracting(Created::partition, Created::rowsMoved)
        .containsExactly(tuple(daily(midnight), 1L), tuple(daily(later), 1L));
    assertThat(rowsIn(daily(lastOfDay))).isEqualTo(1);
    assertThat(rowsIn(daily(midnight))).isEqualTo(1);
    assertThat(rowsIn(daily(later))).isEqualTo(1);
    assertThat(rowsIn("p_max")).isZero();
    assertThat(messageIds()).isEqualTo(written);
    assertThat(createdAtTexts())
        .containsExactly(
            "2031-05-23 23:59:59.999999",
            "2031-05-24 00:00:00.000000",
            "2031-05-25 12:00:00.000001");
  }

  @Test
  void tablesThatOnlyLookLikePartitionsAndOtherDatabasesOutboxesSurviveEveryRun() throws Exception {
    String s = tables.schema();
    String t = tables.table();
    OutboxTables other = new OutboxTables(s + "_other", t);
    execute("CREATE DATABASE " + other.schema());
    try {
      OutboxMigrations.migrate(dataSource, dialect, other);
      closeAfterTest(maintenanceBuilder().tables(other).build()).runOnce();
      execute(
          "INSERT INTO "
              + other.schema()
              + "."
              + t
              + " (message_id, topic, payload, headers, created_at, status, next_attempt_at)"
              + " VALUES (UUID(), 'x', 'x', '{}', '2031-05-10 00:00:00', 1, UTC_TIMESTAMP(6))");
      List<Partition> otherBefore = partitionsOf(other);
      execute("CREATE TABLE " + s + "." + t + "_2023_archive (id int)");
      execute("INSERT INTO " + s + "." + t + "_2023_archive VALUES (1)");
      execute("CREATE TABLE " + s + "." + daily(daysAgo(30)) + " (id int)");
      execute(
          "CREATE TABLE "
              + s
              + ".lookalike (created_at DATETIME(6) NOT NULL)"
              + " PARTITION BY RANGE COLUMNS (created_at) (PARTITION "
              + t
              + "_p20200101 VALUES LESS THAN ('2020-01-02'), PARTITION p_max VALUES LESS THAN"
              + " (MAXVALUE))");
      insertMessage(daysAgo(10), RowState.SENT);
      PartitionMaintenance job = maintenance();

      MaintenanceResult r = job.runOnce();
      clock.advance(Duration.ofDays(400));
      MaintenanceResult yearLater = job.runOnce();

      assertThat(r.dropped()).extracting(Dropped::partition).containsExactly(daily(daysAgo(10)));
      assertThat(yearLater.dropped()).hasSize(4);
      for (String survivor :
          List.of(t + "_2023_archive", daily(daysAgo(30)), "lookalike", t + "_dead")) {
        assertThat(tableCount(s, survivor)).as(survivor + " survives").isEqualTo(1);
      }
      assertThat(queryLong("SELECT count(*) FROM " + s + "." + t + "_2023_archive")).isEqualTo(1);
      assertThat(partitionsOf(new OutboxTables(s, "lookalike")))
          .extracting(Partition::name)
          .containsExactly(t + "_p20200101", "p_max");
      assertThat(partitionsOf(other)).as("the other database's outbox").isEqualTo(otherBefore);
      assertThat(queryLong("SELECT count(*) FROM " + other.schema() + "." + t)).isEqualTo(1);
    } finally {
      execute("DROP DATABASE " + other.schema());
    }
  }

  @Test
  void mixedCaseTableAndItsLowerCaseTwinAreMaintainedApart() throws Exception {
    assertThat(queryLong("SELECT @@lower_case_table_names"))
        .as("this test needs a server whose table names are case-sensitive (Linux default)")
        .isZero();
    OutboxTables mixed = new OutboxTables(tables.schema(), "Outbox_Mixed");
    OutboxTables twin = new OutboxTables(tables.schema(), "outbox_mixed");
    OutboxMigrations.migrate(dataSource, dialect, mixed);
    OutboxMigrations.migrate(dataSource, dialect, twin);
    execute(
        "INSERT INTO "
            + tables.schema()
            + ".Outbox_Mixed (message_id, topic, payload, headers, created_at, status,"
            + " next_attempt_at) VALUES (UUID(), 't', 'x', '{}', '"
            + Sql.utc(daysAgo(10))
            + "', 1, UTC_TIMESTAMP(6))");
    PartitionMaintenance job = closeAfterTest(maintenanceBuilder().tables(mixed).build());

    MaintenanceResult r = job.runOnce();

    String old = PartitionInterval.DAILY.partitionName("Outbox_Mixed", daysAgo(10));
    assertThat(r.created()).extracting(Created::partition).contains(old);
    assertThat(r.dropped()).extracting(Dropped::partition).containsExactly(old);
    assertThat(partitionsOf(mixed))
        .extracting(Partition::name)
        .contains(PartitionInterval.DAILY.partitionName("Outbox_Mixed", NOW), "p_max");
    assertThat(partitionsOf(twin))
        .as("the lower-case twin is a different table and keeps only its catch-all partition")
        .extracting(Partition::name)
        .containsExactly("p_max");
  }

  @Test
  void aPartitionNameTakenByAnotherRangeFailsTheRunNamingItAndIsLeftAlone() throws Exception {
    execute(
        "ALTER TABLE "
            + messageTable()
            + " REORGANIZE PARTITION p_max INTO (PARTITION "
            + daily(NOW)
            + " VALUES LESS THAN ('2031-01-01'), PARTITION p_max VALUES LESS THAN (MAXVALUE))");
    insertMessage(Instant.parse("2030-12-31T10:00:00Z"), RowState.PENDING);
    PartitionMaintenance job = maintenance();

    assertThatThrownBy(job::runOnce)
        .isInstanceOf(PartitionMaintenanceException.class)
        .hasMessageContaining(daily(NOW))
        .hasMessageContaining("already exists for another range");

    assertThat(rowsIn(daily(NOW))).isEqualTo(1);
    assertThat(enlist(OutboxMessage.of("after", null, "x")))
        .as("the failed step left no table lock behind")
        .hasSize(1);
  }

  @Test
  void aTableWhoseCatchAllPartitionWasRemovedGetsPartitionsAddedAboveItsLast() throws Exception {
    execute(
        "ALTER TABLE "
            + messageTable()
            + " PARTITION BY RANGE COLUMNS (created_at)"
            + " (PARTITION p_old VALUES LESS THAN ('2031-01-01'))");
    insertMessage(Instant.parse("2030-12-31T10:00:00Z"), RowState.PENDING);

    MaintenanceResult r = maintenance().runOnce();

    assertThat(r.status()).isEqualTo(Status.COMPLETED);
    assertThat(r.created()).extracting(Created::rowsMoved).containsOnly(0L);
    assertThat(partitions())
        .extracting(Partition::name, Partition::catchAll)
        .containsExactly(
            tuple("p_old", false),
            tuple(daily(NOW), false),
            tuple(daily(daysAgo(-1)), false),
            tuple(daily(daysAgo(-2)), false),
            tuple(daily(daysAgo(-3)), false));
    assertThat(rowsIn("p_old")).isEqualTo(1);
  }

  @Test
  void aTableThatIsMissingOrNotPartitionedFailsTheRunSayingSo() throws Exception {
    execute("CREATE TABLE " + tables.schema() + ".plain_table (id int)");

    assertThatThrownBy(
            () ->
                closeAfterTest(
                        maintenanceBuilder()
                            .tables(new OutboxTables(tables.schema(), "plain_table"))
                            .build())
                    .runOnce())
        .isInstanceOf(PartitionMaintenanceException.class)
        .hasMessageContaining("plain_table` is not partitioned");
    assertThatThrownBy(
            () ->
                closeAfterTest(
                        maintenanceBuilder()
                            .tables(new OutboxTables(tables.schema(), "no_such_table"))
                            .build())
                    .runOnce())
        .isInstanceOf(PartitionMaintenanceException.class)
        .hasMessageContaining("no_such_table` does not exist");
  }

  @Test
  void rowsLeaveTheCatchAllPartitionWithoutLossOrDuplicatesWhileProducersKeepInserting()
      throws Exception {
    runTheJobWhileProducersKeepInserting();
    assertThat(rowsIn("p_max")).as("nothing is left in the catch-all partition").isZero();
  }

  private List<String> createdAtTexts() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT CAST(created_at AS CHAR) FROM "
                    + messageTable()
                    + " ORDER BY created_at")) {
      List<String> texts = new ArrayList<>();
      while (rs.next()) {
        texts.add(rs.getString(1));
      }
      return texts;
    }
  }
}
