package dev.outbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.bench.Results.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the unanalysed scenario with a small N on the real PostgreSQL and MySQL or MariaDB (the URL
 * in the environment, else the local server, as {@link BenchSmokeIT} finds them): every row, both
 * sides where there are two, every round, and its targets. It asserts what the harness reports, not
 * how fast anything is.
 */
class UnanalysedScenarioIT {
  @TempDir Path dir;

  @Test
  void reportsBothDrainsBesideTheRawOneWithTheirTenthsOnPostgres() throws Exception {
    assertEveryRowAndTarget(options());
  }

  @Test
  void reportsBothDrainsBesideTheRawOneWithTheirTenthsOnMySql() throws Exception {
    assertEveryRowAndTarget(options("--database=mysql", "--url=" + mysqlUrl()));
  }

  /** The unanalysed scenario on PostgreSQL, then {@code more} flags, which override those. */
  private BenchOptions options(String... more) {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--url=" + url(BenchSmokeIT.ENV, BenchOptions.DEFAULT_POSTGRES_URL),
                "--schema=outbox_bench_it_"
                    + UUID.randomUUID().toString().replace("-", "").substring(0, 10),
                "--scenarios=unanalysed",
                "--messages=2000",
                "--no-warmup",
                "--out=" + dir.resolve("bench.json")));
    flags.addAll(List.of(more));
    return BenchOptions.parse(flags.toArray(String[]::new));
  }

  private static String mysqlUrl() {
    return url(BenchSmokeIT.MYSQL_ENV, BenchOptions.DEFAULT_MYSQL_URL);
  }

  private static String url(String env, String localServer) {
    String fromEnv = System.getenv(env);
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : localServer;
  }

  private static void assertEveryRowAndTarget(BenchOptions options) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Report report = Bench.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));

    List<String> rows =
        report.results().stream().map(r -> r.key().variant() + " | " + r.key().metric()).toList();
    String never = UnanalysedScenario.NEVER_ANALYSED;
    String analysed = UnanalysedScenario.ANALYSED;
    assertThat(rows)
        .containsExactly(
            never + " | throughput",
            never + " | first tenth",
            never + " | last tenth",
            never + " | last / first tenth",
            analysed + " | throughput",
            analysed + " | first tenth",
            analysed + " | last tenth",
            analysed + " | last / first tenth",
            "PER_KEY/1000 keys | never analysed / after ANALYZE");
    for (Result r : report.results()) {
      assertThat(r.outbox().values()).as("outbox of %s", r.key()).hasSize(3);
      assertThat(r.outbox().values()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
      boolean ratio = r.key().metric().equals(UnanalysedScenario.ANALYSIS_RATIO);
      assertThat(r.baseline().values()).as("baseline of %s", r.key()).hasSize(ratio ? 0 : 3);
      assertThat(r.baseline().values()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
    }
    assertThat(report.targets().stream().map(Targets.Check::target))
        .containsExactly(
            "unanalysed: never-analysed drain >= 0.8 x the analysed one",
            "unanalysed " + never + ": last tenth's rate within 1.5 x of the first's",
            "unanalysed " + analysed + ": last tenth's rate within 1.5 x of the first's");
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("never analysed / after ANALYZE");
  }
}
