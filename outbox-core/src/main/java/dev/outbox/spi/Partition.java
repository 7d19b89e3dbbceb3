package dev.outbox.spi;

import java.time.Instant;

/**
 * One partition of an outbox message table, as the database's catalog describes it.
 *
 * @param schema the schema (MySQL: database) the partition lives in, or null where partitions are
 *     not tables of their own (MySQL)
 * @param name the partition's name
 * @param from the inclusive lower bound of its {@code created_at} range, or null when unbounded
 *     below (or for the catch-all partition)
 * @param to the exclusive upper bound, or null when unbounded above (or for the catch-all
 *     partition)
 * @param catchAll whether this is the partition that takes rows no other partition covers
 *     (PostgreSQL {@code DEFAULT}, MySQL {@code MAXVALUE}); it is never dropped
 */
public record Partition(String schema, String name, Instant from, Instant to, boolean catchAll) {

  /** Whether the range {@code [start, end)} shares any instant with this partition's range. */
  public boolean overlaps(Instant start, Instant end) {
    if (catchAll) {
      return false;
    }
    boolean startsBeforeEnd = from == null || from.isBefore(end);
    boolean endsAfterStart = to == null || to.isAfter(start);
    return startsBeforeEnd && endsAfterStart;
  }
}
