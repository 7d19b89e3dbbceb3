package dev.outbox.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Commit-to-send latency: producers note when {@code commit()} returned for each message id, the
 * consumer notes when it first saw the id. Thread-safe.
 */
final class LatencyProbe {
  private final Map<UUID, Long> committed = new ConcurrentHashMap<>();
  private final Map<UUID, Long> seen = new ConcurrentHashMap<>();

  /** Called by a producer right after its commit returned. */
  void committed(UUID id) {
    committed.put(id, System.nanoTime());
  }

  /** Called by the consumer (relay sender or raw consumer) when it is handed {@code id}. */
  void seen(UUID id) {
    seen.putIfAbsent(id, System.nanoTime());
  }

  int committedCount() {
    return committed.size();
  }

  /** Whether every committed message has been seen. */
  boolean allSeen() {
    return seen.keySet().containsAll(committed.keySet());
  }

  /**
   * The latencies of every committed message, in milliseconds, sorted. A message seen a hair before
   * its producer's {@code commit()} returned (the commit was visible to the consumer before the
   * reply reached the producer) counts as 0. A message never seen counts as the time from its
   * commit to {@code gaveUpAt} (a lower bound), so the quantiles show it instead of hiding it.
   */
  double[] sortedMillis(long gaveUpAt) {
    double[] ms = new double[committed.size()];
    int i = 0;
    for (Map.Entry<UUID, Long> e : committed.entrySet()) {
      long at = seen.getOrDefault(e.getKey(), gaveUpAt);
      ms[i++] = Math.max(0, at - e.getValue()) / 1e6;
    }
    Arrays.sort(ms);
    return ms;
  }

  /** How many committed messages were not seen (yet). */
  int unseen() {
    int n = 0;
    for (UUID id : committed.keySet()) {
      if (!seen.containsKey(id)) {
        n++;
      }
    }
    return n;
  }

  /** The {@code q} quantile (0..1) of sorted values, nearest rank. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }
}
