package dev.outbox.spi;

/**
 * What {@link PartitionSupport#dropIfFinished} did with one partition.
 *
 * @param dropped whether the partition was dropped
 * @param unfinished how many unfinished messages (pending, leased or waiting for a retry) kept it;
 *     0 when it was dropped, or when it was left alone because it is no longer a partition of the
 *     outbox table
 */
public record DropOutcome(boolean dropped, long unfinished) {

  /** The partition was dropped. */
  public static DropOutcome droppedIt() {
    return new DropOutcome(true, 0);
  }

  /** The partition was kept because {@code unfinished} messages in it are not finished. */
  public static DropOutcome keptFor(long unfinished) {
    return new DropOutcome(false, unfinished);
  }

  /** The table is no longer a partition of the outbox table (someone detached or dropped it). */
  public static DropOutcome notAPartition() {
    return new DropOutcome(false, 0);
  }
}
