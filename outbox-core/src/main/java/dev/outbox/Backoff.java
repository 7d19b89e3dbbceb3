package dev.outbox;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a relay waits before retrying a message whose delivery failed. Implementations must be
 * thread-safe.
 */
@FunctionalInterface
public interface Backoff {

  /** Longest delay the factories below accept: 30 days. */
  Duration MAX_DELAY = Duration.ofDays(30);

  /**
   * The delay before the next attempt, after attempt number {@code attempt} (1 for the first) has
   * failed. Never negative.
   */
  Duration delay(int attempt);

  /**
   * Exponential backoff with full jitter: after attempt {@code n} the delay is uniformly random in
   * {@code [0, min(max, initial * 2^(n-1))]}. The jitter spreads retries of many failed messages
   * over time instead of hammering a recovering broker all at once.
   *
   * @throws IllegalArgumentException if {@code initial} is not positive, {@code max < initial}, or
   *     {@code max} is longer than {@link #MAX_DELAY}
   */
  static Backoff exponential(Duration initial, Duration max) {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff initial delay must be positive, was " + initial);
    }
    checkAtMostMaxDelay("backoff max delay", max);
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff max delay ("
              + max
              + ") must not be less than the initial delay ("
              + initial
              + ")");
    }
    long initialNanos = initial.toNanos();
    long maxNanos = max.toNanos();
    return attempt -> {
      int doublings = Math.max(0, Math.min(attempt - 1, 62));
      long ceiling =
          doublings >= Long.numberOfLeadingZeros(initialNanos) - 1
              ? maxNanos
              : Math.min(maxNanos, initialNanos << doublings);
      return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1));
    };
  }

  /**
   * The same delay after every attempt.
   *
   * @throws IllegalArgumentException if {@code delay} is negative or longer than {@link #MAX_DELAY}
   */
  static Backoff fixed(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("backoff delay must not be negative, was " + delay);
    }
    checkAtMostMaxDelay("backoff delay", delay);
    return attempt -> delay;
  }

  private static void checkAtMostMaxDelay(String option, Duration value) {
    if (value.compareTo(MAX_DELAY) > 0) {
      throw new IllegalArgumentException(
          option + " must be at most " + MAX_DELAY + " (Backoff.MAX_DELAY), was " + value);
    }
  }
}
