package dev.outbox.examples.demo;

import java.io.PrintStream;

/** The demo's last words: whether the outbox kept its promise, and what the counts mean. */
final class DemoVerdict {
  private DemoVerdict() {}

  /**
   * Prints the verdict on {@code s}: OK when every committed order's message was delivered or
   * dead-lettered and no rolled-back order's was delivered; then what to do about dead letters (on
   * {@code jdbcUrl}, printed with its password hidden) and what duplicates are, when there are any.
   */
  static void print(
      PrintStream out, DemoStats.Snapshot s, String jdbcUrl, String schema, int maxAttempts) {
    out.println(verdict(s, maxAttempts));
    if (s.dead() > 0) {
      out.println(
          "[demo] dead letters stay in the dead-letter table until an operator replays or purges"
              + " them; no later run delivers them on its own. See them with the outbox command"
              + " (README, Operations): outbox dead list --jdbc-url "
              + DemoDatabase.redacted(jdbcUrl)
              + " --schema "
              + schema);
    }
    if (s.duplicates() > 0) {
      out.println(
          "[demo] duplicates="
              + s.duplicates()
              + ": messages the sender was given again after it had reported them sent, which"
              + " at-least-once allows: a send whose outcome was lost (its acknowledgement failed,"
              + " or its lease ran out) is sent again. Consumers drop them by the message id.");
    }
  }

  private static String verdict(DemoStats.Snapshot s, int maxAttempts) {
    String earlier =
        s.earlier() > 0 ? " (plus " + s.earlier() + " left over from an earlier run)" : "";
    if (!s.consistent()) {
      return "[demo] NOT OK: "
          + s.undelivered()
          + " committed messages neither delivered nor dead-lettered, "
          + s.rolledBackDelivered()
          + " rolled-back messages delivered";
    }
    if (s.dead() == 0) {
      return "[demo] OK: every committed order's message was delivered, and no rolled-back order's"
          + " message was"
          + earlier;
    }
    return "[demo] OK: every committed order's message was delivered ("
        + s.delivered()
        + ") or, after "
        + maxAttempts
        + " failed attempts, moved to the dead letters ("
        + s.dead()
        + "); none is lost, and no rolled-back order's message was delivered"
        + earlier;
  }
}
