package dev.outbox.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the per-round values of every measurement, for both sides, in the order they were first
 * reported, and turns them into {@link Result}s. Not thread-safe: the harness reports from its main
 * thread.
 */
final class Results {

  /** Which side of a comparison a value belongs to. */
  enum Side {
    /** The same work in raw SQL, no framework. */
    BASELINE,
    /** The outbox library. */
    OUTBOX;

    String label() {
      return this == BASELINE ? "baseline" : "outbox";
    }
  }

  /** Whether a larger value is better (throughput) or a smaller one (latency, time). */
  enum Better {
    /** Throughput and the like. */
    HIGHER,
    /** Latency, time per operation. */
    LOWER
  }

  /**
   * What is measured: a scenario's variant and metric.
   *
   * @param scenario produce, drain, latency, growth or backlog
   * @param variant the settings of this run, such as {@code relays=1 batch=100 NONE}
   * @param metric what the number is, such as {@code throughput} or {@code p99}
   * @param unit the number's unit, such as {@code msg/s} or {@code ms}
   * @param better which direction is better
   */
  record Key(String scenario, String variant, String metric, String unit, Better better) {}

  /**
   * One measurement: the values of both sides over the rounds.
   *
   * @param key what was measured
   * @param baseline the raw-SQL values, one per round
   * @param outbox the outbox values, one per round
   */
  record Result(Key key, Samples baseline, Samples outbox) {
    /** Outbox median over baseline median; NaN when a side has no value or the baseline is 0. */
    double ratio() {
      if (baseline.isEmpty() || outbox.isEmpty() || baseline.median() == 0) {
        return Double.NaN;
      }
      return outbox.median() / baseline.median();
    }
  }

  private final Map<Key, List<Double>> baseline = new LinkedHashMap<>();
  private final Map<Key, List<Double>> outbox = new LinkedHashMap<>();

  /** Records one round's {@code value} of {@code key} for {@code side}. */
  void add(Key key, Side side, double value) {
    baseline.computeIfAbsent(key, k -> new ArrayList<>());
    outbox.computeIfAbsent(key, k -> new ArrayList<>());
    (side == Side.BASELINE ? baseline : outbox).get(key).add(value);
  }

  /** Every measurement so far, in first-reported order. */
  List<Result> results() {
    List<Result> list = new ArrayList<>(baseline.size());
    for (Key k : baseline.keySet()) {
      list.add(new Result(k, new Samples(baseline.get(k)), new Samples(outbox.get(k))));
    }
    return list;
  }

  /** The measurement of {@code scenario}/{@code variant}/{@code metric}, or null. */
  Result find(String scenario, String variant, String metric) {
    for (Result r : results()) {
      Key k = r.key();
      if (k.scenario().equals(scenario)
          && k.variant().equals(variant)
          && k.metric().equals(metric)) {
        return r;
      }
    }
    return null;
  }

  /**
   * The values of one side over the rounds.
   *
   * @param values one per round, in round order
   */
  record Samples(List<Double> values) {
    Samples {
      values = List.copyOf(values);
    }

    boolean isEmpty() {
      return values.isEmpty();
    }

    /** The median (the mean of the middle two for an even count); NaN when empty. */
    double median() {
      if (values.isEmpty()) {
        return Double.NaN;
      }
      List<Double> sorted = values.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
      return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
      return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
  }
}
