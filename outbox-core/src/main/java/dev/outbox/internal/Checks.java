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
  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

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

  /**
   * Refuses text a database column cannot hold as given: an unpaired surrogate or a NUL, naming
   * {@code field} and the index. Returns {@code value}.
   */
  public static String text(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\0') {
        throw new IllegalArgumentException(field + " must not contain NUL (U+0000), at index " + i);
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            field + " is not well-formed UTF-16: unpaired surrogate at index " + i);
      }
    }
    return value;
  }

  /** Refuses {@code value} longer than {@code max} characters, naming {@code field}. */
  public static String length(String field, String value, int max) {
    if (value.length() > max) {
      throw new IllegalArgumentException(
          field + " is " + value.length() + " characters long; the limit is " + max);
    }
    return value;
  }

  /**
   * Refuses a schema or table name that is not a plain SQL identifier (letters, digits and
   * underscores, not starting with a digit) or is longer than {@code maxLength}, so that a dialect
   * can quote it safely. {@code what} names it in the message: {@code "table"}, {@code "schema"}.
   */
  public static void identifier(String what, String name, int maxLength) {
    if (name == null || !PLAIN_IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what
              + " name '"
              + name
              + "' is not a plain SQL identifier: use letters, digits and underscores,"
              + " starting with a letter or underscore");
    }
    if (name.length() > maxLength) {
      throw new IllegalArgumentException(
          what
              + " name '"
              + name
              + "' is "
              + name.length()
              + " characters; the limit is "
              + maxLength);
    }
  }
}
