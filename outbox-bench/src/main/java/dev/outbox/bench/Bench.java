package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.Ordering;
import dev.outbox.bench.BenchOptions.Scenario;
import dev.outbox.bench.Results.Side;
import java.io.PrintStream;
import java.time.Instant;
import picocli.CommandLine.ParameterException;

/**
 * The benchmark harness. Runs the chosen scenarios against a real database, each one interleaved
 * round by round with the same work done in raw SQL (baseline, outbox, baseline, outbox, …), prints
 * one table of medians, min–max and outbox/baseline ratios with the machine it ran on, and writes
 * the same results as JSON. See {@code --help} and docs/performance.md.
 *
 * <p>Exit status: 0 after a complete run, 2 for bad flags, 1 when a run failed (a failed run prints
 * no numbers).
 */
public final class Bench {
  private Bench() {}

  /** Messages in the unreported warm-up runs. */
  static final int WARMUP_MESSAGES = 2_000;

  /** Runs the benchmark with the flags in {@code args}; see {@code --help}. */
  public static void main(String[] args) {
    quietLogs();
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (ParameterException e) {
      System.err.println("bench: " + e.getMessage() + "; see --help");
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.print(BenchOptions.usage());
      return;
    }
    try {
      if (options.scenarios().contains(Scenario.SOAK)) {
        if (!soak(options, System.out)) {
          System.exit(1);
        }
        return;
      }
      run(options, System.out);
    } catch (Exception e) {
      System.err.println("bench: the run failed, no numbers reported: " + e);
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }

  /**
   * Runs the benchmark, prints progress and the table to {@code out}, writes the JSON file.
   *
   * @return the report
   */
  static Report run(BenchOptions options, PrintStream out) throws Exception {
    Instant started = Instant.now();
    try (BenchDatabase db = BenchDatabase.open(options)) {
      Machine machine = Machine.collect(db);
      out.println("JDBC Outbox benchmark on " + machine.database());
      Results results = new Results();
      BenchContext ctx = new BenchContext(options, db, results, out);
      if (options.warmup()) {
        warmUp(ctx);
      }
      runScenarios(ctx);
      Report report =
          new Report(
              machine.ended(),
              options,
              results.results(),
              Targets.check(results, options),
              started,
              Instant.now());
      out.print(report.render());
      JsonReport.write(report, options.out());
      out.println("\nresults written to " + options.out());
      return report;
    }
  }

  /**
   * Runs the soak, which has no baseline and reports per minute; returns whether its checks were
   * met.
   */
  static boolean soak(BenchOptions options, PrintStream out) throws Exception {
    try (BenchDatabase db = BenchDatabase.open(options)) {
      out.println("JDBC Outbox soak on " + Machine.collect(db).database());
      return new SoakScenario(options, db, out).run();
    }
  }

  private static void runScenarios(BenchContext ctx) throws Exception {
    if (ctx.options().scenarios().contains(Scenario.PRODUCE)) {
      new ProduceScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.E2E)) {
      new EndToEndScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.DRAIN)) {
      try (DrainScenario drain = new DrainScenario(ctx)) {
        drain.run();
      }
    }
    if (ctx.options().scenarios().contains(Scenario.LATENCY)) {
      new LatencyScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.GROWTH)) {
      new GrowthScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.BACKLOG)) {
      new BacklogScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.SLOW_SENDER)) {
      new SlowSenderScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.MINIMAL)) {
      new MinimalScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.FAILING_SENDER)) {
      new FailingSenderScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.RABBITMQ)) {
      new RabbitMqScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.KAFKA)) {
      new KafkaScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.UNANALYSED)) {
      new UnanalysedScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.PRODUCE_IDEMPOTENT)) {
      new IdempotentProduceScenario(ctx).run();
    }
    if (ctx.options().scenarios().contains(Scenario.SCHEDULED_BACKLOG)) {
      new ScheduledBacklogScenario(ctx).run();
    }
  }

  /** Runs both sides of produce and drain once, unreported, so JIT compilation is not timed. */
  private static void warmUp(BenchContext ctx) throws Exception {
    int n = Math.min(ctx.options().messages(), WARMUP_MESSAGES);
    ctx.out().println("warming up (" + n + " messages per side, not reported)");
    ProduceScenario produce = new ProduceScenario(ctx);
    try (HikariDataSource pool = ctx.db().pool("warmup", ctx.options().producerThreads());
        DrainScenario drain = new DrainScenario(ctx)) {
      for (Side side : Side.values()) {
        produce.once(pool, side, ProduceScenario.Wake.DEFAULT, n);
        drain.once(side, 1, 100, new DrainScenario.Order(Ordering.NONE, 100), n);
      }
    }
  }

  /** Keeps the relays' start and stop lines out of the table unless the caller asked for them. */
  private static void quietLogs() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }
}
