package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's WARN lines about failed deliveries: a message that failed again on its {@code
 * warnAfterAttempts}-th attempt or later, a message moved to the dead letters, and a batch that
 * failed as a whole because the broker was away. Each kind is rate-limited on its own to one line
 * per {@link #INTERVAL}, and the next line says how many were left out, so a broker outage or a
 * misconfigured exchange does not flood the log. Only outcomes whose acknowledgement was written
 * are warned about. Thread-safe.
 */
final class FailureWarnings {
  private static final Logger log = LoggerFactory.getLogger(RelayMetrics.class);

  /** The shortest time between two lines of one kind. */
  static final Duration INTERVAL = Duration.ofSeconds(10);

  /** The longest error text put in a line; the message's {@code last_error} keeps more. */
  static final int MAX_CAUSE_LENGTH = 500;

  private final String relayName;
  private final int warnAfterAttempts;
  private final Consumer<String> sink;
  private final WarnLimiter retries;
  private final WarnLimiter dead;
  private final WarnLimiter away;
  private volatile boolean brokerAway;

  FailureWarnings(String relayName, int warnAfterAttempts) {
    this(relayName, warnAfterAttempts, System::nanoTime, log::warn);
  }

  /**
   * @param nanoTicker the limiters' monotonic clock
   * @param sink where the lines go: {@code log::warn} outside tests
   */
  FailureWarnings(
      String relayName, int warnAfterAttempts, LongSupplier nanoTicker, Consumer<String> sink) {
    this.relayName = relayName;
    this.warnAfterAttempts = warnAfterAttempts;
    this.sink = sink;
    this.retries = new WarnLimiter(INTERVAL, nanoTicker);
    this.dead = new WarnLimiter(INTERVAL, nanoTicker);
    this.away = new WarnLimiter(INTERVAL, nanoTicker);
  }

  /**
   * A failed attempt of {@code r} was rescheduled for {@code nextAttemptAt} (relay clock, {@code
   * now}) with {@code error}; warns from attempt {@code warnAfterAttempts} on.
   */
  void retried(OutboxRecord r, Instant nextAttemptAt, Instant now, String error) {
    brokerAway = false;
    if (r.attempt() < warnAfterAttempts) {
      return;
    }
    long left = retries.tryAcquire();
    if (left == WarnLimiter.SUPPRESS) {
      return;
    }
    Duration in = Duration.between(now, nextAttemptAt).truncatedTo(ChronoUnit.MILLIS);
    sink.accept(
        "outbox relay '"
            + relayName
            + "': delivery of "
            + describe(r)
            + " failed on attempt "
            + r.attempt()
            + "; retrying at "
            + nextAttemptAt.truncatedTo(ChronoUnit.MILLIS)
            + " (in "
            + (in.isNegative() ? Duration.ZERO : in)
            + "): "
            + cut(error)
            + more(left, "failed attempts (from attempt " + warnAfterAttempts + " on)"));
  }

  /** {@code r} was moved to the dead letters with {@code reason}. */
  void dead(OutboxRecord r, String reason) {
    brokerAway = false;
    long left = dead.tryAcquire();
    if (left == WarnLimiter.SUPPRESS) {
      return;
    }
    sink.accept(
        "outbox relay '"
            + relayName
            + "': "
            + describe(r)
            + " was moved to the dead letters after attempt "
            + r.attempt()
            + ": "
            + cut(reason)
            + more(left, "messages moved to the dead letters"));
  }

  /** A message was delivered: the broker is there, so the next outage is warned about at once. */
  void delivered() {
    brokerAway = false;
  }

  /**
   * A batch of {@code size} failed as a whole because the broker was away, with {@code cause}; no
   * attempt was counted. The first batch of an outage is warned about at once, the later ones of
   * the same outage at most once per {@link #INTERVAL}.
   */
  void brokerAway(int size, String cause) {
    if (!brokerAway) {
      brokerAway = true;
      away.reset();
    }
    long left = away.tryAcquire();
    if (left == WarnLimiter.SUPPRESS) {
      return;
    }
    sink.accept(
        "outbox relay '"
            + relayName
            + "': a batch of "
            + size
            + (size == 1 ? " message" : " messages")
            + " failed as a whole because the broker is away; no attempt is counted and the"
            + " relay pauses before probing again: "
            + cut(cause)
            + more(left, "batches failed that way"));
  }

  private static String describe(OutboxRecord r) {
    return "message "
        + r.messageId()
        + " (row id "
        + r.id()
        + ", topic '"
        + r.topic()
        + "', "
        + (r.key() == null ? "no key" : "key '" + r.key() + "'")
        + ")";
  }

  private static String cut(String s) {
    if (s == null) {
      return "(no error text)";
    }
    return s.length() <= MAX_CAUSE_LENGTH ? s : s.substring(0, MAX_CAUSE_LENGTH - 3) + "...";
  }

  private static String more(long left, String what) {
    return left == 0
        ? ""
        : String.format(Locale.ROOT, " (and %,d more %s since the last warning)", left, what);
  }
}
