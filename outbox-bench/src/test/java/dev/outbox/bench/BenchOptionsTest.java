package dev.outbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.Ordering;
import dev.outbox.OutboxRelay;
import dev.outbox.bench.BenchOptions.Database;
import dev.outbox.bench.BenchOptions.Scenario;
import dev.outbox.bench.Results.Samples;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

class BenchOptionsTest {

  @Test
  void withoutFlagsEveryScenarioRunsWithTheIssuesSizes() {
    BenchOptions o = BenchOptions.parse();
    assertThat(o.database()).isEqualTo(Database.POSTGRESQL);
    assertThat(o.scenarios())
        .containsExactlyInAnyOrder(
            Scenario.PRODUCE,
            Scenario.E2E,
            Scenario.DRAIN,
            Scenario.LATENCY,
            Scenario.GROWTH,
            Scenario.MINIMAL);
    assertThat(o.orderings()).containsExactly(Ordering.NONE, Ordering.PER_KEY);
    assertThat(o.backlogSizes()).containsExactly(20_000, 200_000);
    assertThat(o.messages()).isEqualTo(50_000);
    assertThat(o.rounds()).isEqualTo(3);
    assertThat(o.relayCounts()).containsExactly(1, 2, 4);
    assertThat(o.batchSizes()).containsExactly(100, 1000);
    assertThat(o.keyCounts()).containsExactly(100, 10_000);
    assertThat(o.latencyRates()).containsExactly(500, 5000);
    assertThat(o.latencyDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.historyRows()).isEqualTo(1_000_000);
    assertThat(o.pollInterval()).isEqualTo(OutboxRelay.Builder.DEFAULT_POLL_INTERVAL);
    assertThat(o.batchesInFlight()).isEqualTo(OutboxRelay.Builder.DEFAULT_MAX_BATCHES_IN_FLIGHT);
    assertThat(o.linger()).isEqualTo(OutboxRelay.Builder.DEFAULT_LINGER);
    assertThat(BenchOptions.parse("--linger", "0ms").linger()).isZero();
    assertThat(o.jdbcUrl()).isEqualTo(BenchOptions.DEFAULT_POSTGRES_URL);
    assertThat(o.schema()).isEqualTo("outbox_bench");
    assertThat(o.warmup()).isTrue();
    assertThat(o.out().toString()).matches("bench-results/bench-\\d{8}-\\d{6}\\.json");
    assertThat(BenchOptions.parse("--database", "mysql").jdbcUrl())
        .isEqualTo(BenchOptions.DEFAULT_MYSQL_URL);
  }

  @Test
  void flagsInBothFormsOverrideTheDefaults() {
    BenchOptions o =
        BenchOptions.parse(
            "--messages",
            "1",
            "--messages=5000",
            "--relays",
            "1,2",
            "--latency-duration",
            "500ms",
            "--poll-interval=2s",
            "--scenarios",
            "drain,growth",
            "--database",
            "mariadb",
            "--out",
            "x/y.json",
            "--no-warmup");
    assertThat(o.messages()).as("the last of a flag given twice").isEqualTo(5_000);
    assertThat(o.relayCounts()).containsExactly(1, 2);
    assertThat(BenchOptions.parse("--relays", "1", "--relays=2,4").relayCounts())
        .as("a list flag given twice takes both lists")
        .containsExactly(1, 2, 4);
    assertThat(o.latencyDuration()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.pollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(o.scenarios()).containsExactlyInAnyOrder(Scenario.DRAIN, Scenario.GROWTH);
    assertThat(o.database()).isEqualTo(Database.MYSQL);
    assertThat(o.out()).isEqualTo(Path.of("x/y.json"));
    assertThat(o.warmup()).isFalse();
  }

  @Test
  void theIssuesKeyMatrixAndBacklogPairParseWithoutTheNoneDrain() {
    BenchOptions o =
        BenchOptions.parse(
            "--scenarios",
            "drain,backlog",
            "--keys",
            "1,10,100,10000",
            "--relays",
            "1,2,4",
            "--batch-sizes",
            "100",
            "--orderings",
            "per_key",
            "--backlog-sizes",
            "200000,20000");
    assertThat(o.scenarios()).containsExactlyInAnyOrder(Scenario.DRAIN, Scenario.BACKLOG);
    assertThat(o.keyCounts()).containsExactly(1, 10, 100, 10_000);
    assertThat(o.orderings()).containsExactly(Ordering.PER_KEY);
    assertThat(o.backlogSizes()).as("sorted, smallest first").containsExactly(20_000, 200_000);
    assertThat(BenchOptions.parse("--orderings", "per-key,NONE").orderings())
        .containsExactly(Ordering.PER_KEY, Ordering.NONE);
    assertThatThrownBy(() -> BenchOptions.parse("--orderings", "fifo"))
        .hasMessageContaining("--orderings")
        .hasMessageContaining("'fifo' is none of [per_key, none]");
    assertThatThrownBy(() -> BenchOptions.parse("--backlog-sizes", "20000,20000"))
        .hasMessage("--backlog-sizes must list two different sizes or more");
    assertThatThrownBy(() -> BenchOptions.parse("--linger", "2s")).hasMessageContaining("--linger");
  }

  @Test
  void theSenderScenariosAreChosenByNameWithTheirBrokers() {
    BenchOptions defaults = BenchOptions.parse();
    assertThat(defaults.amqpUrl()).isEqualTo("amqp://guest:guest@127.0.0.1:5672");
    assertThat(defaults.kafkaBootstrap()).as("a broker started in-process").isNull();
    BenchOptions o =
        BenchOptions.parse(
            "--scenarios",
            "slow-sender,rabbitmq,KAFKA",
            "--amqp-url",
            "amqps://u:p@rabbit:5671/%2F",
            "--kafka-bootstrap=k1:9092,k2:9093");
    assertThat(o.scenarios())
        .containsExactlyInAnyOrder(Scenario.SLOW_SENDER, Scenario.RABBITMQ, Scenario.KAFKA);
    assertThat(o.amqpUrl()).isEqualTo("amqps://u:p@rabbit:5671/%2F");
    assertThat(o.kafkaBootstrap()).isEqualTo("k1:9092,k2:9093");
    assertThatThrownBy(() -> BenchOptions.parse("--amqp-url", "http://rabbit"))
        .hasMessage("--amqp-url must be an amqp:// or amqps:// URI");
    assertThatThrownBy(() -> BenchOptions.parse("--kafka-bootstrap", "kafka"))
        .hasMessage("--kafka-bootstrap must be host:port[,host:port...]");
  }

  @Test
  void theIdempotencyAndScheduledScenariosAreChosenByNameWithTheScheduledCount() {
    BenchOptions defaults = BenchOptions.parse();
    assertThat(defaults.scheduled()).isEqualTo(100_000);
    assertThat(defaults.scenarios())
        .as("not in the default set")
        .doesNotContain(Scenario.PRODUCE_IDEMPOTENT, Scenario.SCHEDULED_BACKLOG);
    BenchOptions o =
        BenchOptions.parse(
            "--scenarios", "produce-idempotent,SCHEDULED_BACKLOG", "--scheduled=250000");
    assertThat(o.scenarios())
        .containsExactlyInAnyOrder(Scenario.PRODUCE_IDEMPOTENT, Scenario.SCHEDULED_BACKLOG);
    assertThat(o.scheduled()).isEqualTo(250_000);
    assertThatThrownBy(() -> BenchOptions.parse("--scheduled", "0"))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--scheduled must be between 1 and 10000000, was 0");
    assertThatThrownBy(() -> BenchOptions.parse("--scheduled", "20000000"))
        .hasMessage("--scheduled must be between 1 and 10000000, was 20000000");
    assertThatThrownBy(() -> BenchOptions.parse("--scheduled", "many"))
        .hasMessage("Invalid value for option '--scheduled': 'many' is not an int");
    assertThatThrownBy(() -> BenchOptions.parse("--scenarios", "produce-idempotence"))
        .hasMessageContaining("'produce-idempotence' is none of")
        .hasMessageContaining("produce_idempotent")
        .hasMessageContaining("scheduled_backlog");
    assertThat(BenchOptions.usage())
        .contains("--scheduled=N", "scheduled-backlog scenario", "Default: 100000")
        .contains("produce-idempotent", "scheduled-backlog;");
  }

  @Test
  void fewerThanThreeRoundsAreRefusedNamingTheSettingAndItsRange() {
    assertThatThrownBy(() -> BenchOptions.parse("--rounds", "2"))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--rounds must be between 3 and 100, was 2");
  }

  @Test
  void anOutOfRangeListValueIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> BenchOptions.parse("--batch-sizes", "100,0"))
        .hasMessage("--batch-sizes must be between 1 and 10000, was 0");
  }

  @Test
  void unknownFlagsMissingValuesAndMalformedValuesAreRefusedByName() {
    assertThatThrownBy(() -> BenchOptions.parse("--fast")).hasMessage("Unknown option: '--fast'");
    assertThatThrownBy(() -> BenchOptions.parse("--messages"))
        .hasMessage("Missing required parameter for option '--messages' (N)");
    assertThatThrownBy(() -> BenchOptions.parse("--messages", "lots"))
        .hasMessage("Invalid value for option '--messages': 'lots' is not an int");
    assertThatThrownBy(() -> BenchOptions.parse("--latency-duration", "soon"))
        .hasMessage(
            "Invalid value for option '--latency-duration':"
                + " 'soon' is not a duration such as 500ms or 20s");
    assertThatThrownBy(() -> BenchOptions.parse("--scenarios", "drain,sock"))
        .hasMessageStartingWith("Invalid value for option '--scenarios' (SCENARIO): 'sock' is none")
        .hasMessageContaining("slow_sender");
    assertThatThrownBy(() -> BenchOptions.parse("--database", "oracle"))
        .hasMessage(
            "Invalid value for option '--database': 'oracle' is none of [postgresql, mysql]");
  }

  @Test
  void helpIsNotAnErrorAndListsEveryFlagWithItsDefault() {
    assertThat(BenchOptions.parse("--help")).isNull();
    assertThat(BenchOptions.parse("--rounds", "2", "--help")).as("nothing else checked").isNull();
    String usage = BenchOptions.usage();
    for (String flag :
        List.of(
            "--database",
            "--url",
            "--schema",
            "--scenarios",
            "--rounds",
            "--messages",
            "--payload-bytes",
            "--producer-threads",
            "--relays",
            "--batch-sizes",
            "--keys",
            "--orderings",
            "--backlog-sizes",
            "--scheduled",
            "--latency-rates",
            "--latency-duration",
            "--poll-interval",
            "--in-flight",
            "--linger",
            "--history-rows",
            "--growth-claims",
            "--amqp-url",
            "--kafka-bootstrap",
            "--soak-duration",
            "--soak-rate",
            "--long-transaction",
            "--out",
            "--no-warmup",
            "--help")) {
      assertThat(usage).contains("  " + flag);
    }
    assertThat(usage)
        .contains("--relays=N[,N...]", "relay counts for drain", "Default: 1,2,4")
        .contains("--latency-duration=DURATION", "Default: 20s")
        .contains("--in-flight=N", "Default: " + OutboxRelay.Builder.DEFAULT_MAX_BATCHES_IN_FLIGHT)
        .contains("--kafka-bootstrap=HOST:PORT", "Default: a broker started in-process")
        .doesNotContain("Default: null");
  }

  @Test
  void aSchemaNameThatIsNotAPlainIdentifierIsRefusedBeforeAnythingConnects() {
    BenchOptions o = BenchOptions.parse("--schema", "bench; DROP TABLE x");
    assertThatThrownBy(() -> BenchDatabase.open(o))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a plain SQL identifier");
  }

  @Test
  void mediansMinMaxAndRatioAreComputedOverTheRounds() {
    Samples odd = new Samples(List.of(3.0, 1.0, 2.0));
    Samples even = new Samples(List.of(4.0, 1.0, 2.0, 3.0));
    assertThat(odd.median()).isEqualTo(2.0);
    assertThat(even.median()).isEqualTo(2.5);
    assertThat(even.min()).isEqualTo(1.0);
    assertThat(even.max()).isEqualTo(4.0);
    Results.Key key = BenchContext.key("drain", "v", "throughput", "msg/s", Results.Better.HIGHER);
    assertThat(new Results.Result(key, odd, even).ratio()).isEqualTo(1.25);
    assertThat(new Results.Result(key, new Samples(List.of(0.0)), even).ratio()).isNaN();
  }

  @Test
  void latencyQuantilesUseTheNearestRank() {
    double[] sorted = new double[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertThat(LatencyProbe.quantile(sorted, 0.50)).isEqualTo(50);
    assertThat(LatencyProbe.quantile(sorted, 0.99)).isEqualTo(99);
    assertThat(LatencyProbe.quantile(sorted, 1.0)).isEqualTo(100);
    assertThat(LatencyProbe.quantile(new double[0], 0.99)).isNaN();
  }

  @Test
  void theJsonReportReadsBackWithItsStringsIntactAndMissingNumbersAsNull() throws Exception {
    Machine machine =
        new Machine(
            2, 1L << 30, "cpu \"x\"", "os", "java", "db\nline", Map.of("fsync", "on"), "1", "2");
    Results.Result measured =
        new Results.Result(
            new Results.Key("drain", "relays=1", "throughput", "msg/s", Results.Better.HIGHER),
            new Results.Samples(List.of(100.0, 200.0, 300.0)),
            new Results.Samples(List.of(50.0, 150.0, 250.0)));
    Results.Result empty =
        new Results.Result(
            new Results.Key("latency", "p99", "latency", "ms", Results.Better.LOWER),
            new Results.Samples(List.of()),
            new Results.Samples(List.of(1.5)));
    Report report =
        new Report(
            machine,
            BenchOptions.parse(),
            List.of(measured, empty),
            List.of(new Targets.Check("drain >= 0.8", "0.75", false)),
            Instant.parse("2026-11-26T00:00:00Z"),
            Instant.parse("2026-11-26T00:01:00Z"));

    JsonNode json = new ObjectMapper().readTree(JsonReport.toJson(report));

    assertThat(json.at("/machine/cpu").asText()).isEqualTo("cpu \"x\"");
    assertThat(json.at("/machine/database").asText()).isEqualTo("db\nline");
    assertThat(json.at("/machine/settings/fsync").asText()).isEqualTo("on");
    assertThat(json.at("/results/0/baseline/median").asDouble()).isEqualTo(200.0);
    assertThat(json.at("/results/0/outbox/rounds/2").asDouble()).isEqualTo(250.0);
    assertThat(json.at("/results/0/ratio").asDouble()).isEqualTo(0.75);
    assertThat(json.at("/results/1/ratio").isNull()).as("no baseline: no ratio").isTrue();
    assertThat(json.at("/results/1/baseline/median").isNull()).isTrue();
    assertThat(json.at("/targets/0/met").asBoolean()).isFalse();
    assertThat(json.at("/started").asText()).isEqualTo("2026-11-26T00:00:00Z");
  }

  @Test
  void soakTakesItsDurationRateAndLongTransactionAndRunsAloneOnPostgresql() {
    BenchOptions o =
        BenchOptions.parse(
            "--scenarios",
            "soak",
            "--soak-duration",
            "3m",
            "--soak-rate=50",
            "--long-transaction",
            "1m");
    assertThat(o.scenarios()).containsExactly(Scenario.SOAK);
    assertThat(o.soakDuration()).isEqualTo(Duration.ofMinutes(3));
    assertThat(o.soakRate()).isEqualTo(50);
    assertThat(o.longTransaction()).isEqualTo(Duration.ofMinutes(1));
    assertThat(BenchOptions.parse().soakDuration()).isEqualTo(Duration.ofMinutes(15));
    assertThatThrownBy(() -> BenchOptions.parse("--scenarios", "soak,drain"))
        .hasMessageContaining("soak scenario runs alone");
    assertThatThrownBy(() -> BenchOptions.parse("--scenarios", "soak", "--database", "mysql"))
        .hasMessageContaining("PostgreSQL only");
    assertThatThrownBy(
            () -> BenchOptions.parse("--soak-duration", "3m", "--long-transaction", "2m"))
        .hasMessageContaining("long-transaction must be between");
  }
}
