package dev.outbox;

/** How strictly a relay orders delivery. */
public enum Ordering {
  /**
   * Messages with the same non-null key reach the sender in id order among committed messages: a
   * message is claimed only when no committed message with its key and a lower id is pending,
   * leased or waiting for a retry. A failing message therefore holds back its own key and no other.
   *
   * <p>A transaction still open cannot be seen, so its message can be overtaken by a later insert
   * of the same key that commits first. Services that need insert order serialise their writers on
   * the aggregate's row, as they do for the data itself. Messages with a null key are unordered.
   * The default.
   */
  PER_KEY,

  /** No ordering: any due message may be claimed. Highest throughput. */
  NONE
}
