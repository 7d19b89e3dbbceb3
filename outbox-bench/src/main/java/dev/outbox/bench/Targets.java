package dev.outbox.bench;

import dev.outbox.Ordering;
import dev.outbox.bench.DrainScenario.Order;
import dev.outbox.bench.Results.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The targets, checked against one run's medians. A target whose measurement was not run
 * (scenario or variant left out) is not listed.
 */
final class Targets {
  private Targets() {}

  /**
   * One target and how the run did.
   *
   * @param target what was aimed for, in words
   * @param measured the measured value, in words
   * @param met whether the target was met
   */
  record Check(String target, String measured, boolean met) {}

  /** The checks that {@code results} allow. */
  static List<Check> check(Results results, BenchOptions options) {
    List<Check> checks = new ArrayList<>();
    drain(results, checks);
    perKeyDrain(results, checks);
    backlog(results, options, checks);
    produce(results, options, checks);
    endToEnd(results, options, checks);
    latency(results, options, checks);
    growth(results, options, checks);
    senders(results, checks);
    checks.addAll(UnanalysedScenario.targets(results));
    return checks;
  }

  private static void drain(Results results, List<Check> checks) {
    Order none = new Order(Ordering.NONE, BenchContext.PRODUCE_KEYS);
    for (int batch : List.of(100, 1000)) {
      ratio(results, "drain", DrainScenario.variant(1, batch, none), "throughput", 0.8, checks);
    }
  }

  private static void endToEnd(Results results, BenchOptions options, List<Check> checks) {
    String variant = EndToEndScenario.variant(options.producerThreads());
    ratio(results, EndToEndScenario.NAME, variant, "throughput", 0.8, checks);
  }

  /**
   * The per-key issue's drain targets, batch 100: one relay against the raw baseline by key count,
   * and 2 and 4 relays against one relay and against as many raw consumers.
   */
  private static void perKeyDrain(Results results, List<Check> checks) {
    for (int keys : List.of(10_000, 100)) {
      ratio(results, "drain", perKeyVariant(1, keys), "throughput", 0.7, checks);
    }
    ratio(results, "drain", perKeyVariant(1, 10), "throughput", 0.5, checks);
    ratio(results, "drain", perKeyVariant(1, 1), "throughput", 0.3, checks);
    for (int relays : List.of(2, 4)) {
      for (int keys : List.of(100, 10)) {
        notSlowerThanOneRelay(results, relays, keys, checks);
        ratio(results, "drain", perKeyVariant(relays, keys), "throughput", 0.5, checks);
      }
    }
  }

  private static String perKeyVariant(int relays, int keys) {
    return DrainScenario.variant(relays, 100, new Order(Ordering.PER_KEY, keys));
  }

  /** The outbox drain with {@code relays} relays is at least as fast as with one. */
  private static void notSlowerThanOneRelay(
      Results results, int relays, int keys, List<Check> checks) {
    Result many = results.find("drain", perKeyVariant(relays, keys), "throughput");
    Result one = results.find("drain", perKeyVariant(1, keys), "throughput");
    if (many == null || one == null) {
      return;
    }
    double factor = many.outbox().median() / one.outbox().median();
    checks.add(
        new Check(
            fmt("drain %s: outbox >= the same drain with 1 relay", perKeyVariant(relays, keys)),
            fmt(
                "%.2f x (%,.0f vs %,.0f msg/s)",
                factor, many.outbox().median(), one.outbox().median()),
            factor >= 1.0));
  }

  /**
   * Per key count: the outbox's per-message cost at the largest backlog within 1.2 x that at the
   * smallest, as the median of each round's ratio (the two drains of a round run back to back, so
   * the machine's drift over a run cancels out); the baseline's factor is shown beside it.
   */
  private static void backlog(Results results, BenchOptions options, List<Check> checks) {
    List<Integer> sizes = options.backlogSizes();
    int small = sizes.get(0);
    int large = sizes.get(sizes.size() - 1);
    for (int keys : options.keyCounts()) {
      Result cost =
          results.find(
              BacklogScenario.NAME,
              BacklogScenario.ratioVariant(keys, large, small),
              BacklogScenario.COST_RATIO);
      if (cost == null) {
        continue;
      }
      double factor = cost.outbox().median();
      checks.add(
          new Check(
              fmt(
                  "backlog PER_KEY/%d keys: outbox per-message cost at %,d <= 1.2 x at %,d",
                  keys, large, small),
              fmt(
                  "%.2f x (median of the rounds' ratios; baseline %.2f x)",
                  factor, cost.baseline().median()),
              factor <= 1.2));
    }
  }

  private static void produce(Results results, BenchOptions options, List<Check> checks) {
    String variant =
        ProduceScenario.variant(ProduceScenario.Wake.DEFAULT, options.producerThreads());
    ratio(results, "produce", variant, "throughput", 0.9, checks);
  }

  private static void latency(Results results, BenchOptions options, List<Check> checks) {
    Duration poll = options.pollInterval();
    Result notify = results.find("latency", LatencyScenario.variant(500, true, poll), "p99");
    if (notify != null) {
      double p99 = notify.outbox().median();
      double raw = notify.baseline().median();
      checks.add(
          new Check(
              "latency 500 msg/s, default settings: outbox p99 <= 1.5 x a raw LISTEN consumer's",
              fmt("p99 %.2f ms vs %.2f ms (%.2f x)", p99, raw, p99 / raw),
              p99 <= 1.5 * raw));
    }
    Result polling = results.find("latency", LatencyScenario.variant(500, false, poll), "p99");
    if (polling != null) {
      double batchMs = oneBatchMillis(results);
      double limit = poll.toMillis() + batchMs;
      double p99 = polling.outbox().median();
      checks.add(
          new Check(
              fmt(
                  "latency 500 msg/s, polling: outbox p99 < poll interval + one batch (%.1f ms)",
                  limit),
              fmt("p99 %.2f ms", p99),
              p99 < limit));
    }
  }

  /** One batch of 100 at the outbox's single-relay drain rate, or 0 if drain was not run. */
  private static double oneBatchMillis(Results results) {
    Order none = new Order(Ordering.NONE, BenchContext.PRODUCE_KEYS);
    Result drain = results.find("drain", DrainScenario.variant(1, 100, none), "throughput");
    return drain == null ? 0 : 100 / drain.outbox().median() * 1000;
  }

  private static void growth(Results results, BenchOptions options, List<Check> checks) {
    if (options.historyRows() == 0) {
      return;
    }
    for (Ordering ordering : List.of(Ordering.NONE, Ordering.PER_KEY)) {
      Result empty = results.find("growth", GrowthScenario.variant(ordering, 0), "claim");
      Result full =
          results.find("growth", GrowthScenario.variant(ordering, options.historyRows()), "claim");
      if (empty == null || full == null) {
        continue;
      }
      double factor = full.outbox().median() / empty.outbox().median();
      checks.add(
          new Check(
              fmt(
                  "growth %s: outbox claim with %,d sent rows <= 1.2 x empty table",
                  ordering, options.historyRows()),
              fmt(
                  "%.2f x (%.2f ms vs %.2f ms; baseline %.2f x)",
                  factor,
                  full.outbox().median(),
                  empty.outbox().median(),
                  full.baseline().median() / empty.baseline().median()),
              factor <= 1.2));
    }
  }

  /**
   * One relay, batch 100, {@code NONE} and {@code PER_KEY} over 100 keys: the 10 ms sender keeps
   * 0.7 of the no-op sender's drain, and the shipped senders 0.7 of a raw publisher's.
   */
  private static void senders(Results results, List<Check> checks) {
    List<Order> orders = List.of(SenderDrain.noneOrder(), SenderDrain.perKeyOrder());
    for (Order o : orders) {
      ratio(
          results,
          SlowSenderScenario.NAME,
          SlowSenderScenario.variant(o),
          "throughput",
          0.7,
          checks);
    }
    for (Order o : orders) {
      ratio(results, RabbitMqScenario.NAME, RabbitMqScenario.variant(o), "throughput", 0.7, checks);
    }
    for (Order o : orders) {
      ratio(results, KafkaScenario.NAME, KafkaScenario.variant(o), "throughput", 0.7, checks);
    }
  }

  private static void ratio(
      Results results,
      String scenario,
      String variant,
      String metric,
      double atLeast,
      List<Check> checks) {
    Result r = results.find(scenario, variant, metric);
    if (r == null) {
      return;
    }
    double ratio = r.ratio();
    String missed = ratio >= atLeast ? "" : fmt(", missed by %.0f%%", (1 - ratio / atLeast) * 100);
    checks.add(
        new Check(
            fmt("%s %s: outbox/baseline >= %.1f", scenario, variant, atLeast),
            fmt("%.2f%s", ratio, missed),
            ratio >= atLeast));
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
