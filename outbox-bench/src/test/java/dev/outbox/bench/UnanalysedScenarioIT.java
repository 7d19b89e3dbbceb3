package dev.outbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.bench.BenchOptions.Database;
import dev.outbox.bench.BenchOptions.Scenario;
import dev.outbox.bench.Results.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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
    assertEveryRowAndTarget(options().build());
  }

  @Test
  void reportsBothDrainsBesideTheRawOneWithTheirTenthsOnMySql() throws Exception {
    assertEveryRowAndTarget(options().database(Database.MYSQL).jdbcUrl(mysqlUrl()).build());
  }

  private BenchOptions.Builder options() {
    return BenchOptions.builder()
        .jdbcUrl(url(BenchSmokeIT.ENV, BenchOptions.DEFAULT_POSTGRES_URL))
        .schema("outbox_bench_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10))
        .scenarios(Set.of(Scenario.UNANALYSED))
        .messages(2_000)
        .warmup(false)
        .out(dir.resolve("bench.json"));
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
