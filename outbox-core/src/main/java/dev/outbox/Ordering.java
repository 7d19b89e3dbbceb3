package dev.outbox;

/** How strictly a relay orders delivery. */
public enum Ordering {
  /**
   * Messages with the same non-null key reach the sender in enlist order: a message is claimed only
   * when no older message with its key is pending, leased or waiting for a retry. A failing message
   * therefore holds back its own key and no other. Messages with a null key are unordered. The
   * default.
   */
  PER_KEY,

  /** No ordering: any due message may be claimed. Highest throughput. */
  NONE
}
