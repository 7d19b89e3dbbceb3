package dev.outbox.spi;

import dev.outbox.OutboxRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What every dialect's per-key claim shares (see {@link OutboxDialect#claim}): the bound on keys
 * one claim visits, the going round from the last key to the first, and where the next claim
 * starts. A dialect supplies one {@link Pass}: a walk of the keys in one transaction.
 */
public final class KeyWalk {
  private KeyWalk() {}

  /** Which part of a pass's batch messages without a key get. */
  public enum Unkeyed {
    /** Up to the whole batch, before the keyed runs. */
    FIRST,
    /** What the keyed runs leave. */
    AFTER,
    /** None: the second pass of a walk that went round from the last key to the first. */
    NONE
  }

  /** One walk of the keys, in its own transaction. */
  @FunctionalInterface
  public interface Pass {
    /**
     * Claims messages without a key as {@code unkeyed} says and the runs of the keys after {@code
     * cursor} (null: from the first key), up to {@code target} messages in all, visiting at most
     * {@link #maxKeys} keys; returns what {@link #result} makes of it.
     */
    ClaimResult run(String cursor, Unkeyed unkeyed, int target) throws SQLException;
  }

  /**
   * The first and the last key among pending messages, in the database's key order, for {@link
   * OutboxDialect#pendingKeyRange}.
   *
   * @param first the smallest pending key
   * @param last the largest pending key
   */
  public record Range(String first, String last) {

    /**
     * Runs {@code sql}, a query whose one row holds the first and the last pending key (both null
     * when nothing keyed is pending), on {@code c}.
     *
     * @return the range, or null when nothing keyed is pending
     */
    public static Range read(Connection c, String sql) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(sql);
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return null;
        }
        return new Range(rs.getString(1), rs.getString(2));
      }
    }
  }

  /**
   * A cursor somewhere between {@code range}'s keys, chosen with {@code random}: where a relay
   * starts walking the keys when it has no cursor (at start, or after a claim that visited every
   * key). Relays that all started at the first key would walk behind one another, each claim
   * reading past the keys the others just leased; started at scattered points, they work different
   * stretches of the keys. The cursor is the keys' common prefix and one character picked between
   * theirs, and a random second character: any string is a valid cursor (the walk takes the keys
   * after it and goes round to the first), so an uneven spread costs nothing but evenness. Null,
   * for the first key, when the range is empty or has a single key.
   */
  public static String startBetween(Range range, RandomGenerator random) {
    if (range == null || range.first() == null || range.last() == null) {
      return null;
    }
    String lo = range.first();
    String hi = range.last();
    int p = 0;
    while (p < lo.length() && p < hi.length() && lo.charAt(p) == hi.charAt(p)) {
      p++;
    }
    if (p >= hi.length()) {
      return null; // one key, or the last key is a prefix of the first
    }
    char from = (char) Math.max(p < lo.length() ? lo.charAt(p) : ' ', ' ');
    char to = hi.charAt(p);
    if (to < from) {
      return null;
    }
    char c = (char) (from + random.nextInt(to - from + 1));
    char next = (char) ('0' + random.nextInt('z' - '0' + 1));
    if (Character.isSurrogate(c)) {
      return null;
    }
    return hi.substring(0, p) + c + next;
  }

  /** The most keys one pass visits: enough for a full batch of one-message runs, and a margin. */
  public static int maxKeys(int batchSize) {
    return 2 * batchSize + 16;
  }

  /**
   * Runs {@code pass} from the request's cursor and, when it started after a cursor and reached the
   * last key with room left, once more from the first key, so that a message of a key before the
   * cursor is not kept waiting for a later claim.
   */
  public static ClaimResult claim(ClaimRequest r, Pass pass) throws SQLException {
    Unkeyed unkeyed = r.unkeyedFirst() ? Unkeyed.FIRST : Unkeyed.AFTER;
    ClaimResult first = pass.run(r.keyCursor(), unkeyed, r.batchSize());
    int room = r.batchSize() - first.records().size();
    boolean reachedLastKey = first.keyCursor() == null;
    if (r.keyCursor() == null || first.more() || room == 0 || !reachedLastKey) {
      return first;
    }
    ClaimResult second = pass.run(null, Unkeyed.NONE, room);
    List<OutboxRecord> all = new ArrayList<>(first.records());
    all.addAll(second.records());
    all.sort(Comparator.comparingLong(OutboxRecord::id));
    return new ClaimResult(all, second.keyCursor(), second.more());
  }

  /**
   * The result of a pass that started after {@code cursor}, claimed {@code claimed} (ordered by id)
   * of its {@code target}, visited {@code visited} keys and the last of them {@code lastKey}. The
   * next claim carries on after the last key when the pass stopped at a full batch or at its bound
   * on keys, and starts at the first key when it reached the last one; it stays at {@code cursor}
   * when messages without a key filled the batch, since no key had its turn.
   */
  public static ClaimResult result(
      List<OutboxRecord> claimed,
      int target,
      String cursor,
      int visited,
      String lastKey,
      int batchSize) {
    boolean full = claimed.size() >= target;
    boolean capped = visited >= maxKeys(batchSize);
    String next = full || capped ? lastKey : null;
    if (full && claimed.stream().allMatch(m -> m.key() == null)) {
      next = cursor;
    }
    return new ClaimResult(claimed, next, capped && !full);
  }
}
