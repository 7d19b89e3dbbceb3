package dev.outbox.spi;

import dev.outbox.OutboxRecord;
import java.util.List;

/**
 * What {@link OutboxDialect#claim} claimed.
 *
 * @param records the claimed messages, ordered by id, with {@link OutboxRecord#attempt()} already
 *     incremented
 * @param keyCursor for a per-key claim, where the next one should start (pass it back as {@link
 *     ClaimRequest#keyCursor()}); null to start at the first key
 * @param more whether the claim stopped before it had looked at every candidate (each claim looks
 *     at a bounded number of keys), so that another claim may find more at once even though this
 *     one did not fill its batch
 */
public record ClaimResult(List<OutboxRecord> records, String keyCursor, boolean more) {

  /** Nothing claimed, nothing more to look at. */
  public static ClaimResult none(String keyCursor) {
    return new ClaimResult(List.of(), keyCursor, false);
  }
}
