package dev.outbox.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What {@link DedupSupport#recordOnce} found when the scope and key were recorded before: the
 * earlier record.
 *
 * @param recordId the id the earlier call recorded
 * @param createdAt when it was recorded, by the clock of the call that recorded it
 */
public record DedupRecord(UUID recordId, Instant createdAt) {
  /**
   * @throws NullPointerException if an argument is null
   */
  public DedupRecord {
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
