package dev.outbox.internal;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets at most one log line through per interval and counts the ones it holds back, so that a
 * failure repeated for every message (a broker outage, a misconfigured exchange) cannot flood the
 * log. Thread-safe.
 */
final class WarnLimiter {
  /** What {@link #tryAcquire()} returns for a line to leave out. */
  static final long SUPPRESS = -1;

  private final long intervalNanos;
  private final LongSupplier nanoTicker;
  private boolean logged;
  private long lastLoggedAt;
  private long suppressed;

  /**
   * @param interval the shortest time between two lines let through
   * @param nanoTicker a monotonic clock in nanoseconds, {@code System::nanoTime} outside tests
   */
  WarnLimiter(Duration interval, LongSupplier nanoTicker) {
    this.intervalNanos = interval.toNanos();
    this.nanoTicker = nanoTicker;
  }

  /**
   * Whether to log a line now: {@link #SUPPRESS} if not (it is counted), otherwise how many lines
   * were left out since the previous one let through.
   */
  synchronized long tryAcquire() {
    long now = nanoTicker.getAsLong();
    if (logged && now - lastLoggedAt < intervalNanos) {
      suppressed++;
      return SUPPRESS;
    }
    logged = true;
    lastLoggedAt = now;
    long left = suppressed;
    suppressed = 0;
    return left;
  }

  /** Lets the next line through whenever it comes, keeping the count of those left out. */
  synchronized void reset() {
    logged = false;
  }
}
