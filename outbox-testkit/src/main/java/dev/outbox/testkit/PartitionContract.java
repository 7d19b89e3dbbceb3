package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outbox.MaintenanceResult;
import dev.outbox.MaintenanceResult.Created;
import dev.outbox.MaintenanceResult.Dropped;
import dev.outbox.MaintenanceResult.KeepReason;
import dev.outbox.MaintenanceResult.Kept;
import dev.outbox.MaintenanceResult.Status;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.PartitionInterval;
import dev.outbox.PartitionMaintenance;
import dev.outbox.spi.PartitionSupport;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Partition maintenance on a real database: partitions are created ahead, rows the catch-all
 * partition caught are moved out without loss, finished partitions past the retention are dropped
 * and unfinished ones kept and reported, dead letters are never touched, and only one instance
 * works at a time. Rows are written with chosen {@code created_at} values and the job's clock is
 * moved, so nothing sleeps through a retention.
 */
public abstract class PartitionContract extends PartitionContractSupport {

  /**
   * A batch whose messages lie in several partitions is acknowledged whole: the acknowledgement is
   * bounded by the batch's oldest and newest creation time, and both ends are inclusive.
   */
  @Test
  public final void aBatchSpanningPartitionsIsAcknowledgedWhole() throws Exception {
    Set<UUID> pending = new HashSet<>();
    for (int day : new int[] {2, 1, 0}) {
      pending.add(insertMessage(daysAgo(day), RowState.PENDING));
      pending.add(insertMessage(daysAgo(day).minusSeconds(3600), RowState.PENDING));
    }
    maintenance().runOnce();
    assertThat(rangePartitionNames()).contains(daily(daysAgo(2)), daily(daysAgo(1)), daily(NOW));
    RecordingSender sender = new RecordingSender();
    OutboxRelay relay = closeAfterTest(relayBuilder(sender).batchSize(100).build());

    assertThat(relay.runOnce()).as("one batch over three partitions").isEqualTo(pending.size());

    assertThat(rowsWithStatus(1))
        .as("every row of the batch marked sent")
        .isEqualTo(pending.size());
    assertThat(leasedRows()).isZero();
    assertThat(messageIds(sender.received())).containsExactlyInAnyOrderElementsOf(pending);
  }

  /** First run creates the current partition and those ahead and a second run changes nothing. */
  @Test
  public final void firstRunCreatesTheCurrentPartitionAndThoseAheadAndASecondRunChangesNothing()
      throws Exception {
    PartitionMaintenance job = maintenance();

    MaintenanceResult first = job.runOnce();

    String p = tables.table() + "_p";
    assertThat(first.status()).isEqualTo(Status.COMPLETED);
    assertThat(first.created())
        .extracting(Created::partition)
        .containsExactly(p + "20310520", p + "20310521", p + "20310522", p + "20310523");
    assertThat(first.created().get(0).from()).isEqualTo(Instant.parse("2031-05-20T00:00:00Z"));
    assertThat(first.created().get(0).to()).isEqualTo(Instant.parse("2031-05-21T00:00:00Z"));
    assertThat(first.partitionsAhead()).isEqualTo(3);
    assertThat(rangePartitionNames())
        .containsExactly(p + "20310520", p + "20310521", p + "20310522", p + "20310523");

    MaintenanceResult second = job.runOnce();
    assertThat(second.status()).isEqualTo(Status.COMPLETED);
    assertThat(second.created()).isEmpty();
    assertThat(second.dropped()).isEmpty();
    assertThat(second.kept()).isEmpty();
    assertThat(second.partitionsAhead()).isEqualTo(3);

    clock.advance(Duration.ofDays(1));
    assertThat(job.runOnce().created())
        .extracting(Created::partition)
        .containsExactly(p + "20310524");
  }

  /** Hourly partitions follow UTC hours. */
  @Test
  public final void hourlyPartitionsFollowUtcHours() throws Exception {
    PartitionMaintenance job =
        closeAfterTest(
            maintenanceBuilder()
                .interval(PartitionInterval.HOURLY)
                .partitionsAhead(2)
                .runPeriod(Duration.ofMinutes(30))
                .build());

    MaintenanceResult r = job.runOnce();

    String p = tables.table() + "_p";
    assertThat(r.created())
        .extracting(Created::partition)
        .containsExactly(p + "2031052010", p + "2031052011", p + "2031052012");
    assertThat(r.created().get(1).from()).isEqualTo(Instant.parse("2031-05-20T11:00:00Z"));
  }

  /**
   * Rows written while the job never ran are moved into new partitions without loss or duplicates.
   */
  @Test
  public final void rowsWrittenWhileTheJobNeverRanAreMovedIntoNewPartitionsWithoutLossOrDuplicates()
      throws Exception {
    Set<UUID> written = new HashSet<>();
    for (int day : new int[] {3, 2, 2, 0}) {
      written.add(insertMessage(daysAgo(day), RowState.SENT));
      written.add(insertMessage(daysAgo(day).plusSeconds(60), RowState.PENDING));
    }
    assertThat(rangePartitionNames()).as("only the catch-all partition so far").isEmpty();

    MaintenanceResult r = maintenance().runOnce();

    assertThat(r.status()).isEqualTo(Status.COMPLETED);
    assertThat(r.created())
        .extracting(Created::partition, Created::rowsMoved)
        .startsWith(
            org.assertj.core.groups.Tuple.tuple(daily(daysAgo(3)), 2L),
            org.assertj.core.groups.Tuple.tuple(daily(daysAgo(2)), 4L),
            org.assertj.core.groups.Tuple.tuple(daily(NOW), 2L));
    assertThat(messageIds()).isEqualTo(written);
    assertThat(messageRows()).isEqualTo(written.size());
    try (Connection c = dataSource.getConnection()) {
      assertThat(dialect.partitions().catchAllIntervals(c, tables, Duration.ofDays(1)))
          .as("the catch-all partition holds nothing any more")
          .isEmpty();
    }
  }

  /** Finished partitions past retention are dropped and unfinished ones kept and reported. */
  @Test
  public final void finishedPartitionsPastRetentionAreDroppedAndUnfinishedOnesKeptAndReported()
      throws Exception {
    insertMessage(daysAgo(12), RowState.SENT);
    insertMessage(daysAgo(12), RowState.RETRY_WAITING);
    insertMessage(daysAgo(10), RowState.SENT);
    insertMessage(daysAgo(10), RowState.SENT);
    insertMessage(daysAgo(9), RowState.PENDING);
    insertMessage(daysAgo(8), RowState.LEASED);
    insertMessage(daysAgo(2), RowState.SENT);
    insertDeadLetter(daysAgo(10));
    PartitionMaintenance job = maintenance();

    MaintenanceResult r = job.runOnce();

    assertThat(r.status()).isEqualTo(Status.COMPLETED);
    assertThat(r.dropped()).extracting(Dropped::partition).containsExactly(daily(daysAgo(10)));
    assertThat(r.kept())
        .extracting(Kept::partition, Kept::reason, Kept::unfinishedMessages)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                daily(daysAgo(12)), KeepReason.UNFINISHED_MESSAGES, 1L),
            org.assertj.core.groups.Tuple.tuple(
                daily(daysAgo(9)), KeepReason.UNFINISHED_MESSAGES, 1L),
            org.assertj.core.groups.Tuple.tuple(
                daily(daysAgo(8)), KeepReason.UNFINISHED_MESSAGES, 1L));
    assertThat(rangePartitionNames())
        .contains(daily(daysAgo(12)), daily(daysAgo(9)), daily(daysAgo(8)), daily(daysAgo(2)))
        .doesNotContain(daily(daysAgo(10)));
    assertThat(messageRows()).isEqualTo(5);
    assertThat(deadRows()).as("dead letters are never touched").isEqualTo(1);

    execute("UPDATE " + messageTable() + " SET status = 1");
    MaintenanceResult later = job.runOnce();
    assertThat(later.dropped())
        .extracting(Dropped::partition)
        .containsExactly(daily(daysAgo(12)), daily(daysAgo(9)), daily(daysAgo(8)));
    assertThat(later.kept()).isEmpty();
    assertThat(messageRows()).as("the partition within the retention stays").isEqualTo(1);
    assertThat(deadRows()).isEqualTo(1);
  }

  /** While another instance holds the lock a run skips and changes nothing. */
  @Test
  public final void whileAnotherInstanceHoldsTheLockARunSkipsAndChangesNothing() throws Exception {
    PartitionMaintenance job = maintenance();
    PartitionSupport support = dialect.partitions();
    try (Connection other = dataSource.getConnection()) {
      assertThat(support.tryLock(other, job.lockKey())).isTrue();
      try {
        MaintenanceResult skipped = job.runOnce();
        assertThat(skipped.status()).isEqualTo(Status.SKIPPED);
        assertThat(skipped.skipped()).isTrue();
        assertThat(skipped.created()).isEmpty();
        assertThat(rangePartitionNames()).isEmpty();
      } finally {
        support.unlock(other, job.lockKey());
      }
    }
    assertThat(job.runOnce().status()).isEqualTo(Status.COMPLETED);
    assertThat(rangePartitionNames()).hasSize(4);
  }

  /** Relay starts its partition maintenance and closes it. */
  @Test
  public final void relayStartsItsPartitionMaintenanceAndClosesIt() throws Exception {
    PartitionMaintenance job = maintenanceBuilder().name("retained").build();
    OutboxRelay relay =
        closeAfterTest(relayBuilder(new RecordingSender()).partitionMaintenance(job).build());

    relay.start();

    await("partitions created")
        .atMost(Duration.ofSeconds(30))
        .until(() -> unchecked(() -> partitions().size()) == 5);
    assertThat(RelayThreads.named("retained")).containsExactly("outbox-retained-partitions");
    relay.close();
    await("the maintenance thread ends")
        .atMost(Duration.ofSeconds(30))
        .until(() -> RelayThreads.named("retained").isEmpty());
    assertThatThrownBy(job::runOnce).isInstanceOf(IllegalStateException.class);
  }

  /** Relay refuses maintenance of another table. */
  @Test
  public final void relayRefusesMaintenanceOfAnotherTable() {
    PartitionMaintenance other =
        closeAfterTest(
            maintenanceBuilder()
                .tables(new OutboxTables(tables.schema(), tables.table() + "_other"))
                .build());
    assertThatThrownBy(
            () -> relayBuilder(new RecordingSender()).partitionMaintenance(other).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitionMaintenance")
        .hasMessageContaining(tables.table() + "_other");
  }
}
