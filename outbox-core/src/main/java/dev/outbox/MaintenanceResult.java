package dev.outbox;

import java.time.Instant;
import java.util.List;

/**
 * What one {@link PartitionMaintenance} run did: the partitions it created (and the rows it moved
 * into them out of the catch-all partition), those it dropped, and those past the retention that it
 * kept, with the reason.
 *
 * @param status how the run ended
 * @param ranAt the job clock's time at the start of the run
 * @param created partitions created, in ascending order of their range
 * @param dropped partitions dropped, oldest first
 * @param kept partitions past the retention that were kept, oldest first
 * @param partitionsAhead partitions that exist for intervals after the current one once the run
 *     ended (0 when the run was skipped)
 * @param detail a sentence for the operator when the run did not complete, else empty
 */
public record MaintenanceResult(
    Status status,
    Instant ranAt,
    List<Created> created,
    List<Dropped> dropped,
    List<Kept> kept,
    int partitionsAhead,
    String detail) {

  /** Copies the lists. */
  public MaintenanceResult {
    created = List.copyOf(created);
    dropped = List.copyOf(dropped);
    kept = List.copyOf(kept);
  }

  /** How a run ended. */
  public enum Status {
    /** Every step ran. */
    COMPLETED,
    /** Another instance held the maintenance lock; this one did nothing. */
    SKIPPED,
    /**
     * A table lock could not be taken within the lock timeout (a long transaction holds the table);
     * the run stopped there, keeping what it had done, and the next run tries again.
     */
    LOCK_TIMEOUT
  }

  /** Why a partition past the retention was kept. */
  public enum KeepReason {
    /** It still holds messages that are pending, leased or waiting for a retry. */
    UNFINISHED_MESSAGES,
    /** Its table lock could not be taken within the lock timeout. */
    LOCK_TIMEOUT
  }

  /**
   * A partition the run created.
   *
   * @param partition its name
   * @param from the inclusive start of its range
   * @param to the exclusive end of its range
   * @param rowsMoved rows moved into it out of the catch-all partition
   */
  public record Created(String partition, Instant from, Instant to, long rowsMoved) {}

  /**
   * A partition the run dropped.
   *
   * @param partition its name
   * @param from the inclusive start of its range, or null when unbounded
   * @param to the exclusive end of its range
   */
  public record Dropped(String partition, Instant from, Instant to) {}

  /**
   * A partition past the retention that the run kept.
   *
   * @param partition its name
   * @param from the inclusive start of its range, or null when unbounded
   * @param to the exclusive end of its range
   * @param reason why it was kept
   * @param unfinishedMessages how many unfinished messages it holds (0 when not counted)
   */
  public record Kept(
      String partition, Instant from, Instant to, KeepReason reason, long unfinishedMessages) {}

  /** Whether the run was skipped because another instance held the lock. */
  public boolean skipped() {
    return status == Status.SKIPPED;
  }
}
