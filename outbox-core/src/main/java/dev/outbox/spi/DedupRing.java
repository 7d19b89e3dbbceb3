package dev.outbox.spi;

import dev.outbox.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The arithmetic of the dedup ring that every {@link DedupSupport} shares, and the checks of its
 * arguments, so that each database computes the same slots and refuses the same input in the same
 * words.
 *
 * <p>Time is cut into buckets of the window's length, counted from the Unix epoch: bucket {@code b
 * = floorDiv(now in ms, window in ms)}. Bucket {@code b} lives in slot {@code floorMod(b, 4)}, one
 * of the table's four list partitions, and a row of bucket {@code b} expires at the start of bucket
 * {@code b + 2}. At any moment two slots are written (the current bucket's and the previous one's)
 * and the two others hold only expired rows, which {@link DedupSupport#expire} drops.
 */
public final class DedupRing {

  /** Number of slots, and of the dedup table's partitions: 0 to 3. */
  public static final int SLOTS = 4;

  /** Shortest window accepted: 1 second. */
  public static final Duration MIN_WINDOW = Duration.ofSeconds(1);

  /** Longest window accepted: 366 days. */
  public static final Duration MAX_WINDOW = Duration.ofDays(366);

  /** Longest scope and key accepted, in characters (the columns are {@code varchar(255)}). */
  public static final int MAX_LENGTH = 255;

  private DedupRing() {}

  /** The bucket {@code now} falls into: {@code floorDiv(now in ms, window in ms)}. */
  public static long bucket(Instant now, Duration window) {
    return Math.floorDiv(now.toEpochMilli(), window.toMillis());
  }

  /** The slot (partition) of {@code bucket}: {@code floorMod(bucket, 4)}. */
  public static int slot(long bucket) {
    return (int) Math.floorMod(bucket, (long) SLOTS);
  }

  /** The first instant of {@code bucket}. */
  public static Instant start(long bucket, Duration window) {
    return Instant.ofEpochMilli(Math.multiplyExact(bucket, window.toMillis()));
  }

  /** When a row of {@code bucket} expires: the start of bucket {@code bucket + 2}. */
  public static Instant expiry(long bucket, Duration window) {
    return start(bucket + 2, window);
  }

  /**
   * Refuses a window shorter than {@link #MIN_WINDOW}, longer than {@link #MAX_WINDOW} or not a
   * whole number of milliseconds.
   *
   * @throws IllegalArgumentException naming the window and the limits
   * @throws NullPointerException if it is null
   */
  public static Duration checkWindow(Duration window) {
    Objects.requireNonNull(window, "window must not be null");
    if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "window must be between " + MIN_WINDOW + " and " + MAX_WINDOW + ", was " + window);
    }
    if (window.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(
          "window must be a whole number of milliseconds, was " + window);
    }
    return window;
  }

  /**
   * Refuses a scope or key that is null, blank, longer than {@link #MAX_LENGTH} characters, or
   * holding text the databases cannot store (NUL, an unpaired surrogate); {@code field} names it in
   * the message.
   */
  public static String checkText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          field + " must not be " + (value == null ? "null" : "blank"));
    }
    return Checks.text(field, Checks.length(field, value, MAX_LENGTH));
  }

  /**
   * The checks every {@link DedupSupport#recordOnce} makes before it touches the database.
   *
   * @throws IllegalArgumentException if the scope, the key or the window is refused (see {@link
   *     #checkText}, {@link #checkWindow})
   * @throws NullPointerException if the connection, the table, the record id or the time is null
   */
  public static void checkRecord(
      Object connection,
      DedupTable table,
      String scope,
      String key,
      UUID recordId,
      Instant now,
      Duration window) {
    Objects.requireNonNull(connection, "connection must not be null");
    Objects.requireNonNull(table, "table must not be null");
    checkText("scope", scope);
    checkText("key", key);
    Objects.requireNonNull(recordId, "recordId must not be null");
    Objects.requireNonNull(now, "now must not be null");
    checkWindow(window);
  }
}
