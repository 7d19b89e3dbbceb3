package dev.outbox.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the command line writes them: a whole number and a unit, {@code ms}, {@code s},
 * {@code m}, {@code h} or {@code d} ({@code 500ms}, {@code 30s}, {@code 15m}, {@code 1h}, {@code
 * 30d}); {@code 0s} is allowed. Also how durations are printed for people.
 */
final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  /** The longest duration accepted: ten years, far beyond any retention. */
  static final Duration MAX = Duration.ofDays(3650);

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException saying what a duration looks like
   */
  static Duration parse(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.strip());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      if (d.compareTo(MAX) <= 0) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "'"
            + text
            + "' is not a duration: a whole number and a unit, ms, s, m, h or d"
            + " (500ms, 30s, 15m, 1h, 30d), at most 3650d");
  }

  /** {@code d} for people, to the second, in at most two units: {@code 3m12s}, {@code 2d4h}. */
  static String format(Duration d) {
    if (d == null) {
      return "-";
    }
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + two(s % 60, "s");
    }
    if (s < 86_400) {
      return s / 3600 + "h" + two(s % 3600 / 60, "m");
    }
    return s / 86_400 + "d" + two(s % 86_400 / 3600, "h");
  }

  private static String two(long n, String unit) {
    return n == 0 ? "" : n + unit;
  }
}
