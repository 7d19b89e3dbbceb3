package dev.outbox.admin;

/** Where a replayed message goes among its key's pending messages. */
public enum ReplayPlacement {
  /**
   * Back at its original id: ahead of every pending message of its key that was enlisted after it,
   * as if it had never died. The default: a key's messages keep the order they were enlisted in,
   * among those not yet sent.
   */
  ORIGINAL,
  /** At a new id: behind everything enlisted until the replay. */
  END
}
