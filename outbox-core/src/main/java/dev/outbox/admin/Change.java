package dev.outbox.admin;

import java.util.List;

/**
 * What a replay, purge or key action touched (or, in a dry run, would touch).
 *
 * @param rows how many rows it changed, or would change in a dry run
 * @param dryRun whether nothing was changed
 * @param sample up to {@link #SAMPLE} of the touched rows' ids (dead-letter ids for replay and
 *     purge, message ids for key actions), in id order
 */
public record Change(long rows, boolean dryRun, List<Long> sample) {

  /** The most ids a change lists. */
  public static final int SAMPLE = 20;

  /** Copies the sample. */
  public Change {
    sample = List.copyOf(sample);
  }
}
