package dev.outbox.internal;

import dev.outbox.admin.MessageView;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The one-line verdict of {@code OutboxAdmin.key}: why a key's messages are or are not moving. */
public final class KeyVerdict {
  private KeyVerdict() {}

  /**
   * The verdict for a key whose oldest pending message is {@code head} (empty when none), with
   * {@code pending} messages pending and {@code dead} dead letters, its head's topic {@code paused}
   * or not, at {@code now}.
   */
  public static String of(
      Optional<MessageView> head, long pending, long dead, boolean paused, Instant now) {
    if (head.isEmpty()) {
      return dead == 0
          ? "nothing of this key is pending: it is not held back"
          : "nothing of this key is pending; " + dead + " of its messages are dead letters";
    }
    MessageView h = head.get();
    String waiting = pending > 1 ? "; " + (pending - 1) + " more wait behind it" : "";
    if (paused) {
      return "its head (id " + h.id() + ") is on paused topic '" + h.topic() + "'" + waiting;
    }
    return switch (h.state()) {
      case LEASED ->
          "its head (id "
              + h.id()
              + ") is being sent by relay "
              + (h.leaseOwner() == null ? "(unknown)" : "'" + h.leaseOwner() + "'")
              + ", lease until "
              + h.leaseUntil()
              + waiting;
      case WAITING ->
          "its head (id "
              + h.id()
              + (scheduled(h)
                  ? ") is scheduled for "
                  : ") waits for attempt " + (h.attempts() + 1) + " at ")
              + h.nextAttemptAt()
              + " ("
              + Duration.between(now, h.nextAttemptAt()).toSeconds()
              + "s)"
              + (h.lastError() == null ? "" : " after: " + h.lastError())
              + waiting;
      default -> "its head (id " + h.id() + ") is due: the next claim takes it" + waiting;
    };
  }

  /** A head that has never been tried and waits: a scheduled message, not a retry. */
  private static boolean scheduled(MessageView h) {
    return h.attempts() == 0 && h.lastError() == null;
  }
}
