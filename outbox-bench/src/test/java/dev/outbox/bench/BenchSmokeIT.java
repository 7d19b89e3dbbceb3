package dev.outbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.bench.Results.Result;
import dev.outbox.kafka.testkit.InProcessKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every scenario of the harness with a tiny N against the real PostgreSQL and MySQL or MariaDB
 * (DESIGN §9: the URL in the environment, else the local server), so the harness keeps compiling
 * and working; the rabbitmq scenario against the real RabbitMQ ({@value #RABBITMQ_ENV}, else the
 * local server) and the kafka scenario against a broker in this JVM. It asserts what the harness
 * reports, not how fast anything is.
 */
class BenchSmokeIT {
  /** DESIGN §9: the URL in this variable, else the local server. */
  static final String ENV = "OUTBOX_TEST_POSTGRES_URL";

  /** The same for MySQL and MariaDB. */
  static final String MYSQL_ENV = "OUTBOX_TEST_MYSQL_URL";

  /** The RabbitMQ of the tests, as {@code RabbitMqSenderIT} reads it. */
  static final String RABBITMQ_ENV = "OUTBOX_TEST_RABBITMQ_URI";

  @TempDir Path dir;

  private static String url() {
    return urlFrom(ENV, BenchOptions.DEFAULT_POSTGRES_URL);
  }

  /** DESIGN §9: {@value #MYSQL_ENV}, else the local MySQL or MariaDB server. */
  private static String mysqlUrl() {
    return urlFrom(MYSQL_ENV, BenchOptions.DEFAULT_MYSQL_URL);
  }

  private static String amqpUrl() {
    return urlFrom(RABBITMQ_ENV, BenchOptions.DEFAULT_AMQP_URL);
  }

  private static String urlFrom(String env, String localServer) {
    String fromEnv = System.getenv(env);
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : localServer;
  }

  private static String freshSchema() {
    return "outbox_bench_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  /**
   * Every scenario with a tiny N; each of {@code more} ({@code --flag=value}) replaces the flag of
   * the same name (a list flag given twice would take both lists).
   */
  private BenchOptions tiny(String schema, String... more) {
    Map<String, String> flags = new LinkedHashMap<>();
    Stream.concat(
            Stream.of(
                "--url=" + url(),
                "--schema=" + schema,
                "--messages=300",
                "--producer-threads=2",
                "--relays=1,2",
                "--batch-sizes=50",
                "--keys=10",
                "--latency-rates=200",
                "--latency-duration=300ms",
                "--poll-interval=100ms",
                "--history-rows=2000",
                "--growth-claims=3",
                "--amqp-url=" + amqpUrl(),
                "--no-warmup",
                "--out=" + dir.resolve("results").resolve("bench.json")),
            Stream.of(more))
        .forEach(flag -> flags.put(flag.split("=", 2)[0], flag));
    return BenchOptions.parse(flags.values().toArray(String[]::new));
  }

  /** {@link #tiny} on MySQL or MariaDB. */
  private BenchOptions tinyOnMySql(String database, String... more) {
    return tiny(
        database,
        Stream.concat(Stream.of("--database=mysql", "--url=" + mysqlUrl()), Stream.of(more))
            .toArray(String[]::new));
  }

  @Test
  void everyScenarioReportsBothSidesForEveryRoundAndWritesTheTableAndJson() throws Exception {
    String schema = freshSchema();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Report report = Bench.run(tiny(schema), new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertEveryScenarioReportsBothSidesForEveryRound(report);
    assertThat(variants(report, "drain"))
        .contains("relays=1 batch=50 NONE", "relays=2 batch=50 PER_KEY/10 keys");
    assertThat(variants(report, "latency"))
        .contains(
            "200 msg/s, NOTIFY",
            "200 msg/s, polling 100 ms",
            "200 msg/s, after-commit wake-up, polling 100 ms");
    assertThat(variants(report, "growth"))
        .contains("NONE, 0 sent rows", "PER_KEY, 2,000 sent rows");

    String table = printed.toString(StandardCharsets.UTF_8);
    assertThat(table).contains("outbox/baseline", "machine: ", "database: PostgreSQL", "targets:");
    JsonNode json = json();
    assertThat(json.at("/machine/settings/shared_buffers").isTextual()).isTrue();
    assertThat(json.at("/results/0/outbox/rounds").isArray()).isTrue();
    assertThat(scenarios(json)).contains("produce", "growth");
    assertThat(schemaExists(schema)).as("the benchmark schema is dropped").isFalse();
  }

  @Test
  void onMySqlEveryScenarioRunsPollingOnlyAndTheDatabaseIsDropped() throws Exception {
    String database = freshSchema();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    BenchOptions options = tinyOnMySql(database, "--relays=2");
    Report report = Bench.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertEveryScenarioReportsBothSidesForEveryRound(report);
    assertThat(variants(report, "produce"))
        .containsExactly("default settings vs plain INSERT, 2 threads");
    assertThat(variants(report, "latency"))
        .as("no NOTIFY on MySQL: polling, and the in-process wake-up after commit")
        .containsExactly(
            "200 msg/s, polling 100 ms", "200 msg/s, after-commit wake-up, polling 100 ms");
    assertThat(variants(report, "drain"))
        .containsExactly("relays=2 batch=50 NONE", "relays=2 batch=50 PER_KEY/10 keys");

    String table = printed.toString(StandardCharsets.UTF_8);
    assertThat(table).containsPattern("database: (MariaDB|MySQL) ");
    JsonNode json = json();
    assertThat(json.at("/machine/settings/innodb_buffer_pool_size").isTextual()).isTrue();
    assertThat(scenarios(json)).contains("growth");
    assertThat(mysqlDatabaseExists(database)).as("the benchmark database is dropped").isFalse();
  }

  @Test
  void theKeyMatrixAndTheBacklogPairReportEveryRowAndTargetOnPostgres() throws Exception {
    BenchOptions options = tiny(freshSchema(), keyMatrix("1,10"));
    List<String> targets = assertKeyMatrixAndBacklogPair(options);
    assertThat(targets)
        .containsExactly(
            "drain relays=1 batch=100 PER_KEY/10 keys: outbox/baseline >= 0.5",
            "drain relays=1 batch=100 PER_KEY/1 keys: outbox/baseline >= 0.3",
            "drain relays=2 batch=100 PER_KEY/10 keys: outbox >= the same drain with 1 relay",
            "drain relays=2 batch=100 PER_KEY/10 keys: outbox/baseline >= 0.5",
            "backlog PER_KEY/1 keys: outbox per-message cost at 1,000 <= 1.2 x at 200",
            "backlog PER_KEY/10 keys: outbox per-message cost at 1,000 <= 1.2 x at 200");
  }

  /**
   * MySQL still has the claim that takes one message per key, slow with 1 key (about 30 msg/s), so
   * the smoke test runs 10 keys there.
   */
  @Test
  void theKeyMatrixAndTheBacklogPairReportEveryRowAndTargetOnMySql() throws Exception {
    BenchOptions options = tinyOnMySql(freshSchema(), keyMatrix("10"));
    List<String> targets = assertKeyMatrixAndBacklogPair(options);
    assertThat(targets)
        .containsExactly(
            "drain relays=1 batch=100 PER_KEY/10 keys: outbox/baseline >= 0.5",
            "drain relays=2 batch=100 PER_KEY/10 keys: outbox >= the same drain with 1 relay",
            "drain relays=2 batch=100 PER_KEY/10 keys: outbox/baseline >= 0.5",
            "backlog PER_KEY/10 keys: outbox per-message cost at 1,000 <= 1.2 x at 200");
  }

  /** The drain matrix and backlog pair, shrunk: relays 1 and 2, backlogs 200 and 1,000. */
  private static String[] keyMatrix(String keys) {
    return new String[] {
      "--scenarios=drain,backlog",
      "--batch-sizes=100",
      "--keys=" + keys,
      "--orderings=per_key",
      "--backlog-sizes=1000,200"
    };
  }

  /**
   * Every drain and backlog row, both sides, every round, no NONE drain; returns the targets the
   * report checked (met or not: speed is not asserted).
   */
  private static List<String> assertKeyMatrixAndBacklogPair(BenchOptions options) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Report report = Bench.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));

    for (Result r : report.results()) {
      assertThat(r.baseline().values()).as("baseline of %s", r.key()).hasSize(3);
      assertThat(r.outbox().values()).as("outbox of %s", r.key()).hasSize(3);
      assertThat(r.baseline().values()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
      assertThat(r.outbox().values()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
    }
    List<String> drains = new ArrayList<>();
    List<String> backlogs = new ArrayList<>();
    for (int keys : options.keyCounts()) {
      String order = "PER_KEY/" + keys + " keys";
      drains.add("relays=1 batch=100 " + order);
      drains.add("relays=2 batch=100 " + order);
      backlogs.add(order + ", 200 backlog");
      backlogs.add(order + ", 1,000 backlog");
      backlogs.add(order + ", 1,000 vs 200");
    }
    assertThat(variants(report, "drain"))
        .as("no NONE drain when only PER_KEY is asked for")
        .containsExactlyElementsOf(drains);
    assertThat(variants(report, "backlog")).containsExactlyElementsOf(backlogs);
    assertThat(report.results())
        .filteredOn(r -> r.key().metric().equals(BacklogScenario.COST_RATIO))
        .hasSize(options.keyCounts().size())
        .allSatisfy(r -> assertThat(r.key().unit()).isEqualTo("x"));
    String table = printed.toString(StandardCharsets.UTF_8);
    assertThat(table).contains("per-message cost ratio x", "targets:");
    return report.targets().stream().map(Targets.Check::target).toList();
  }

  @Test
  void theSenderScenariosReportBothSidesForEveryRoundAndTheirTargets() throws Exception {
    String schema = freshSchema();
    BenchOptions options = tiny(schema, "--scenarios=slow-sender,rabbitmq,kafka");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Report report = Bench.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertSenderRows(report);
    assertThat(variants(report, "slow-sender"))
        .containsExactly("10 ms sender vs no-op, NONE", "10 ms sender vs no-op, PER_KEY/100 keys");
    assertThat(variants(report, "rabbitmq"))
        .containsExactly(
            "RabbitMqSender vs raw confirms, NONE",
            "RabbitMqSender vs raw confirms, PER_KEY/100 keys");
    assertThat(variants(report, "kafka"))
        .containsExactly(
            "KafkaSender vs raw producer, NONE", "KafkaSender vs raw producer, PER_KEY/100 keys");
    assertThat(report.targets().stream().map(Targets.Check::target))
        .containsExactly(
            "slow-sender 10 ms sender vs no-op, NONE: outbox/baseline >= 0.7",
            "slow-sender 10 ms sender vs no-op, PER_KEY/100 keys: outbox/baseline >= 0.7",
            "rabbitmq RabbitMqSender vs raw confirms, NONE: outbox/baseline >= 0.7",
            "rabbitmq RabbitMqSender vs raw confirms, PER_KEY/100 keys: outbox/baseline >= 0.7",
            "kafka KafkaSender vs raw producer, NONE: outbox/baseline >= 0.7",
            "kafka KafkaSender vs raw producer, PER_KEY/100 keys: outbox/baseline >= 0.7");
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("| slow-sender |", "| rabbitmq ", "| kafka ", "targets:");
    assertThat(scenarios(json())).contains("slow-sender", "rabbitmq", "kafka");
    assertThat(schemaExists(schema)).as("the benchmark schema is dropped").isFalse();
  }

  @Test
  void theIdempotencyAndScheduledScenariosReportBothColumnsForEveryRoundOnPostgres()
      throws Exception {
    String schema = freshSchema();
    assertIdempotencyAndScheduledRows(tiny(schema, idempotencyAndScheduled()));
    assertThat(schemaExists(schema)).as("the benchmark schema is dropped").isFalse();
  }

  @Test
  void theIdempotencyAndScheduledScenariosReportBothColumnsForEveryRoundOnMySql() throws Exception {
    String database = freshSchema();
    assertIdempotencyAndScheduledRows(tinyOnMySql(database, idempotencyAndScheduled()));
    assertThat(mysqlDatabaseExists(database)).as("the benchmark database is dropped").isFalse();
  }

  /** Both scenarios, 300 messages produced or drained, 700 scheduled beside them. */
  private static String[] idempotencyAndScheduled() {
    return new String[] {
      "--scenarios=produce-idempotent,scheduled-backlog", "--scheduled=700", "--messages=300"
    };
  }

  /**
   * The keyed produce against the unkeyed one and the minimal outbox, and the drain with the
   * scheduled messages against the one without, for both orderings: both columns every round,
   * positive rates, the labels printed. (The scenarios themselves fail the run if a key was not
   * recorded, a due message not sent or a scheduled one sent.)
   */
  private static void assertIdempotencyAndScheduledRows(BenchOptions options) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Report report = Bench.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertSenderRows(report);
    assertThat(variants(report, "produce-idempotent"))
        .containsExactly(
            "idempotency key vs none, default settings, 2 threads",
            "idempotency key vs minimal hand-rolled, 2 threads");
    assertThat(variants(report, "scheduled-backlog"))
        .containsExactly("700 scheduled vs none, NONE", "700 scheduled vs none, PER_KEY/100 keys");
    List<Result> produce =
        report.results().stream()
            .filter(r -> r.key().scenario().equals(IdempotentProduceScenario.NAME))
            .toList();
    Result keyed = produce.get(0);
    Result context = produce.get(1);
    assertThat(context.outbox().values())
        .as("one keyed run a round, in both rows")
        .isEqualTo(keyed.outbox().values());
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains(
            "unique idempotency key per message",
            "with 700 messages scheduled 24 h ahead",
            "| scheduled-backlog  | 700 scheduled vs none, NONE ");
  }

  @Test
  void theKafkaScenarioRunsAgainstAGivenBrokerAndDeletesItsTopic() throws Exception {
    try (InProcessKafka kafka = InProcessKafka.start()) {
      BenchOptions options =
          tiny(
              freshSchema(),
              "--scenarios=kafka",
              "--orderings=none",
              "--kafka-bootstrap=" + kafka.bootstrapServers());
      Report report = Bench.run(options, new PrintStream(new ByteArrayOutputStream()));

      assertSenderRows(report);
      assertThat(variants(report, "kafka")).containsExactly("KafkaSender vs raw producer, NONE");
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
            .as("the benchmark's topic is deleted")
            .noneMatch(t -> t.startsWith("outbox-bench-"));
      }
    }
  }

  /** Only throughput rows, each with a finite, positive value for both sides in each round. */
  private static void assertSenderRows(Report report) {
    assertThat(report.results()).isNotEmpty();
    for (Result r : report.results()) {
      assertThat(r.key().unit()).isEqualTo("msg/s");
      assertThat(r.baseline().values()).as("baseline of %s", r.key()).hasSize(3);
      assertThat(r.outbox().values()).as("outbox of %s", r.key()).hasSize(3);
      assertThat(r.baseline().values()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
      assertThat(r.outbox().values()).allSatisfy(v -> assertThat(v).isFinite().isPositive());
    }
  }

  @Test
  void onMySqlADatabaseTheBenchmarkDidNotMakeIsNeverDropped() throws Exception {
    String database = freshSchema();
    try (Connection c = DriverManager.getConnection(mysqlUrl());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
      s.execute("CREATE TABLE " + database + ".precious (id int)");
      try {
        BenchOptions options = tinyOnMySql(database);
        assertThatThrownBy(() -> Bench.run(options, new PrintStream(new ByteArrayOutputStream())))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("was not made by the benchmark");
        assertThat(mysqlDatabaseExists(database)).isTrue();
        s.execute("SELECT count(*) FROM " + database + ".precious");
      } finally {
        s.execute("DROP DATABASE IF EXISTS " + database);
      }
    }
  }

  private static boolean mysqlDatabaseExists(String database) throws SQLException {
    return exists(
        mysqlUrl(),
        "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        database);
  }

  @Test
  void aSchemaTheBenchmarkDidNotMakeIsNeverDropped() throws Exception {
    String schema = freshSchema();
    execute("CREATE SCHEMA " + schema);
    execute("CREATE TABLE " + schema + ".precious (id int)");
    try {
      BenchOptions options = tiny(schema);
      assertThatThrownBy(() -> Bench.run(options, new PrintStream(new ByteArrayOutputStream())))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("was not made by the benchmark");
      assertThat(schemaExists(schema)).isTrue();
      execute("SELECT count(*) FROM " + schema + ".precious");
    } finally {
      execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /**
   * Every scenario reported, each measurement with a finite, non-negative value for both sides in
   * each of the 3 rounds, and every throughput ratio positive.
   */
  private static void assertEveryScenarioReportsBothSidesForEveryRound(Report report) {
    Set<String> scenarios =
        report.results().stream().map(r -> r.key().scenario()).collect(Collectors.toSet());
    assertThat(scenarios)
        .containsExactlyInAnyOrder("produce", "e2e", "drain", "latency", "growth", "minimal");
    for (Result r : report.results()) {
      assertThat(r.baseline().values()).as("baseline of %s", r.key()).hasSize(3);
      assertThat(r.outbox().values()).as("outbox of %s", r.key()).hasSize(3);
      assertThat(r.baseline().values()).allSatisfy(v -> assertThat(v).isFinite().isNotNegative());
      assertThat(r.outbox().values()).allSatisfy(v -> assertThat(v).isFinite().isNotNegative());
    }
    assertThat(report.results())
        .filteredOn(r -> r.key().unit().equals("msg/s"))
        .allSatisfy(r -> assertThat(r.ratio()).isPositive());
  }

  private static List<String> variants(Report report, String scenario) {
    return report.results().stream()
        .filter(r -> r.key().scenario().equals(scenario))
        .map(r -> r.key().variant())
        .distinct()
        .toList();
  }

  private static boolean schemaExists(String schema) throws SQLException {
    return exists(url(), "SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema);
  }

  /** Whether {@code countQuery}, given {@code name}, counts exactly one row. */
  private static boolean exists(String url, String countQuery, String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement(countQuery)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url());
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The JSON results file the run wrote. */
  private JsonNode json() throws Exception {
    return new ObjectMapper().readTree(dir.resolve("results").resolve("bench.json").toFile());
  }

  /** The scenarios of the results in {@code json}. */
  private static List<String> scenarios(JsonNode json) {
    List<String> scenarios = new ArrayList<>();
    json.get("results").forEach(r -> scenarios.add(r.get("scenario").asText()));
    return scenarios;
  }
}
