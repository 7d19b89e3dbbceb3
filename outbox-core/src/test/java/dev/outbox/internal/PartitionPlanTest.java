package dev.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.PartitionInterval;
import dev.outbox.spi.Partition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PartitionPlanTest {
  private static final Instant NOW = Instant.parse("2031-05-20T10:30:00Z");
  private final PartitionPlan daily =
      new PartitionPlan("outbox_message", PartitionInterval.DAILY, 2, Duration.ofDays(7));

  private static Instant day(String date) {
    return Instant.parse(date + "T00:00:00Z");
  }

  private static Partition partition(String from, String to) {
    return new Partition("s", "p_" + from, day(from), day(to), false);
  }

  private static final Partition CATCH_ALL = new Partition("s", "d", null, null, true);

  @Test
  void intervalsAndNamesFollowUtcWhateverTheInstant() {
    Instant lateEvening = Instant.parse("2031-05-20T23:59:59.999Z");
    assertThat(PartitionInterval.DAILY.start(lateEvening)).isEqualTo(day("2031-05-20"));
    assertThat(PartitionInterval.DAILY.partitionName("t", day("2031-05-20")))
        .isEqualTo("t_p20310520");
    assertThat(PartitionInterval.HOURLY.start(lateEvening))
        .isEqualTo(Instant.parse("2031-05-20T23:00:00Z"));
    assertThat(PartitionInterval.HOURLY.partitionName("t", Instant.parse("2031-05-20T23:00:00Z")))
        .isEqualTo("t_p2031052023");
  }

  @Test
  void createsTheCurrentIntervalAndThoseAheadWhenNothingExists() {
    assertThat(daily.toCreate(List.of(CATCH_ALL), NOW, new TreeSet<>()))
        .extracting(PartitionPlan.Range::name)
        .containsExactly(
            "outbox_message_p20310520", "outbox_message_p20310521", "outbox_message_p20310522");
  }

  @Test
  void leavesOutRangesThatAnyExistingPartitionOverlaps() {
    Partition twoDays = partition("2031-05-20", "2031-05-22");
    assertThat(daily.toCreate(List.of(CATCH_ALL, twoDays), NOW, new TreeSet<>()))
        .extracting(PartitionPlan.Range::from)
        .containsExactly(day("2031-05-22"));
  }

  @Test
  void addsIntervalsTheCatchAllHoldsRowsForInAscendingOrder() {
    TreeSet<Instant> caught = new TreeSet<>(List.of(day("2031-05-01"), day("2031-04-30")));
    assertThat(daily.toCreate(List.of(CATCH_ALL), NOW, caught))
        .extracting(PartitionPlan.Range::from)
        .containsExactly(
            day("2031-04-30"),
            day("2031-05-01"),
            day("2031-05-20"),
            day("2031-05-21"),
            day("2031-05-22"));
  }

  @Test
  void aCatchAllIntervalPartlyCoveredByAPartitionIsBlockedNotCreated() {
    Partition halfDay =
        new Partition("s", "odd", Instant.parse("2031-05-01T12:00:00Z"), day("2031-05-02"), false);
    TreeSet<Instant> caught = new TreeSet<>(List.of(day("2031-05-01")));
    assertThat(daily.toCreate(List.of(CATCH_ALL, halfDay), NOW, caught))
        .extracting(PartitionPlan.Range::from)
        .doesNotContain(day("2031-05-01"));
    assertThat(daily.blockedCatchAllIntervals(List.of(CATCH_ALL, halfDay), caught))
        .extracting(PartitionPlan.Range::from)
        .containsExactly(day("2031-05-01"));
  }

  @Test
  void aPartitionExpiresWhenItsWholeRangeEndedAtLeastTheRetentionAgo() {
    Partition endsExactlyAtCutoff =
        new Partition(
            "s", "a", Instant.parse("2031-05-12T10:30:00Z"), NOW.minus(Duration.ofDays(7)), false);
    Partition endsJustAfterCutoff = partition("2031-05-13", "2031-05-14");
    Partition older = partition("2031-05-01", "2031-05-02");
    Partition unboundedAbove = new Partition("s", "u", day("2020-01-01"), null, false);
    Partition unboundedBelow = new Partition("s", "b", null, day("2020-01-01"), false);

    assertThat(
            daily.expired(
                List.of(
                    endsJustAfterCutoff,
                    endsExactlyAtCutoff,
                    older,
                    CATCH_ALL,
                    unboundedAbove,
                    unboundedBelow),
                NOW))
        .extracting(Partition::name)
        .containsExactly("b", "p_2031-05-01", "a");
  }

  @Test
  void countsOnlyPartitionsStartingAfterTheCurrentIntervalAsAhead() {
    List<Partition> existing =
        List.of(
            CATCH_ALL,
            partition("2031-05-19", "2031-05-20"),
            partition("2031-05-20", "2031-05-21"),
            partition("2031-05-21", "2031-05-22"),
            partition("2031-05-22", "2031-05-23"));
    assertThat(daily.ahead(existing, NOW)).isEqualTo(2);
  }
}
