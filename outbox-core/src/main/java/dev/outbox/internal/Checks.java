package dev.outbox.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The option checks the builders share, so that every refusal names the option and its allowed
 * range in the same words.
 */
public final class Checks {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Checks() {}

  /** Refuses {@code value} outside {@code [min, max]}. */
  public static void inRange(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          option + " must be between " + min + " and " + max + ", was " + value);
    }
  }

  /** Refuses a null, zero or negative duration, or one longer than {@code max}. */
  public static void positive(String option, Duration value, Duration max) {
    Objects.requireNonNull(value, option + " must not be null");
    if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          option + " must be positive and at most " + max + ", was " + value);
    }
  }

  /** Refuses a null or negative duration, or one longer than {@code max}. */
  public static void notNegative(String option, Duration value, Duration max) {
    Objects.requireNonNull(value, option + " must not be null");
    if (value.isNegative() || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          option + " must be zero or positive and at most " + max + ", was " + value);
    }
  }

  /**
   * Refuses a relay or job name that could not be used in thread names, logs and metrics as it is:
   * it must be 1 to 64 letters, digits, dots, dashes or underscores.
   */
  public static void name(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name must be 1 to 64 letters, digits, '.', '-' or '_', was '" + name + "'");
    }
  }

  /**
   * {@code url} (a JDBC URL, possibly null) with any {@code password=} value masked, for messages.
   */
  public static String withoutPassword(String url) {
    return url == null ? "unknown URL" : url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
