package dev.outbox.internal;

import dev.outbox.PartitionInterval;
import dev.outbox.spi.Partition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Decides, from the partitions that exist and the job clock, which partitions to create and which
 * are past the retention. Pure computation: it touches no database.
 *
 * @param table the message table's name, from which partition names are derived
 * @param interval how much time one partition covers
 * @param partitionsAhead how many partitions to keep ready after the current one
 * @param retention how long a finished partition is kept after its range ended
 */
public record PartitionPlan(
    String table, PartitionInterval interval, int partitionsAhead, Duration retention) {

  /**
   * A partition to create.
   *
   * @param name its name
   * @param from the inclusive start of its range
   * @param to the exclusive end of its range
   */
  public record Range(String name, Instant from, Instant to) {}

  /**
   * What to create: the partition of the current interval and {@code partitionsAhead} after it,
   * plus one for each interval the catch-all partition holds rows for, in ascending order, leaving
   * out every range an existing partition already overlaps.
   */
  public List<Range> toCreate(
      List<Partition> existing, Instant now, SortedSet<Instant> catchAllIntervals) {
    List<Range> ranges = new ArrayList<>();
    for (Instant start : wanted(now, catchAllIntervals)) {
      Range r = range(start);
      if (existing.stream().noneMatch(p -> p.overlaps(r.from(), r.to()))) {
        ranges.add(r);
      }
    }
    return ranges;
  }

  /**
   * The catch-all intervals whose range an existing partition only partly covers: their rows cannot
   * be moved into a partition of this interval, so they stay in the catch-all partition.
   */
  public List<Range> blockedCatchAllIntervals(
      List<Partition> existing, SortedSet<Instant> catchAllIntervals) {
    List<Range> blocked = new ArrayList<>();
    for (Instant start : catchAllIntervals) {
      Range r = range(start);
      if (existing.stream().anyMatch(p -> p.overlaps(r.from(), r.to()))) {
        blocked.add(r);
      }
    }
    return blocked;
  }

  private SortedSet<Instant> wanted(Instant now, SortedSet<Instant> catchAllIntervals) {
    SortedSet<Instant> starts = new TreeSet<>(catchAllIntervals);
    Instant current = interval.start(now);
    for (int i = 0; i <= partitionsAhead; i++) {
      starts.add(current.plus(interval.length().multipliedBy(i)));
    }
    return starts;
  }

  private Range range(Instant start) {
    return new Range(interval.partitionName(table, start), start, start.plus(interval.length()));
  }

  /**
   * The partitions whose whole range ended at least {@code retention} before {@code now}, oldest
   * first; never the catch-all partition nor one unbounded above.
   */
  public List<Partition> expired(List<Partition> existing, Instant now) {
    Instant cutoff = now.minus(retention);
    return existing.stream()
        .filter(p -> !p.catchAll() && p.to() != null && !p.to().isAfter(cutoff))
        .sorted(Comparator.comparing(Partition::to))
        .toList();
  }

  /** How many partitions start at or after the end of the current interval. */
  public int ahead(List<Partition> existing, Instant now) {
    Instant next = interval.start(now).plus(interval.length());
    return (int)
        existing.stream()
            .filter(p -> !p.catchAll() && p.from() != null && !p.from().isBefore(next))
            .count();
  }
}
