package dev.outbox;

/** How strictly a relay orders delivery. */
public enum Ordering {
  /**
   * Messages with the same non-null key reach the sender in id order among committed messages: a
   * claim takes a run of a key's oldest pending messages, and never a message while an older one of
   * its key is pending, leased or waiting for a retry and not in the same run. A failing message
   * therefore holds back its own key and no other; the later messages of its key in the same batch
   * are never recorded as sent before it (see {@link Sender}). Keys take turns, so a busy key
   * cannot starve the others. A transaction still open cannot be seen, so a later insert that
   * commits first can overtake it: services that need insert order serialise their writers on the
   * aggregate's row, as they do for the data itself. Messages with a null key are unordered. The
   * default.
   */
  PER_KEY,

  /** No ordering: any due message may be claimed. Highest throughput. */
  NONE
}
