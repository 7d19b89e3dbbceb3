package dev.outbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.examples.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs the order-service demo for a few seconds against the real PostgreSQL (in a fresh schema) and
 * checks its summary line against the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderDemoIT {
  private static final Pattern SUMMARY = Pattern.compile("(?m)^SUMMARY (.*)$");
  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+)");

  private TestPostgres pg;

  @BeforeAll
  void database() {
    pg = TestPostgres.create();
  }

  @AfterAll
  void dropSchema() {
    if (pg != null) {
      pg.close();
    }
  }

  /** The demo's output and exit code. */
  private record Run(int exitCode, String out, String err) {
    Map<String, Long> summary() {
      Matcher m = SUMMARY.matcher(out);
      assertThat(m.find()).as("a SUMMARY line in:%n%s%n%s", out, err).isTrue();
      Map<String, Long> fields = new HashMap<>();
      Matcher f = FIELD.matcher(m.group(1));
      while (f.find()) {
        fields.put(f.group(1), Long.parseLong(f.group(2)));
      }
      return fields;
    }
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = OrderDemo.run(args, Map.of(), o, e);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void demoDeliversEveryCommittedOrderAndNoRolledBackOne() {
    String schema = pg.extraSchema("print");
    Run run =
        run(
            "--jdbc-url", pg.jdbcUrl(),
            "--schema", schema,
            "--duration", "3s",
            "--rate", "100",
            "--rollback-percent", "25",
            "--flaky-percent", "10",
            "--drain-timeout", "30s");

    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    Map<String, Long> summary = run.summary();
    assertThat(summary.get("committed")).isPositive();
    assertThat(summary.get("rolled_back")).as("rolled back on purpose").isPositive();
    assertThat(summary.get("delivered")).isEqualTo(summary.get("committed"));
    assertThat(summary.get("rolled_back_delivered")).isZero();
    assertThat(summary.get("retried")).as("the flaky sender's failures were retried").isPositive();
    assertThat(summary.get("dead")).isZero();
    assertThat(run.out()).contains("[demo]    1s  committed").contains("[sender] orders key=");

    assertThat(pg.queryLong("SELECT count(*) FROM " + schema + ".orders"))
        .as("only committed orders exist")
        .isEqualTo(summary.get("committed"));
    assertThat(pg.queryLong("SELECT count(*) FROM " + schema + ".outbox_message WHERE status = 1"))
        .as("only committed orders' messages exist, all sent")
        .isEqualTo(summary.get("committed"));
    assertThat(pg.queryLong("SELECT count(*) FROM " + schema + ".outbox_message WHERE status = 0"))
        .isZero();
  }

  @Test
  void demoWithTheRabbitMqSenderDeliversEveryCommittedOrder() {
    Run run =
        run(
            "--jdbc-url",
            pg.jdbcUrl(),
            "--schema",
            pg.extraSchema("rabbit"),
            "--sender",
            "rabbitmq",
            "--rabbitmq-uri",
            System.getenv()
                .getOrDefault("OUTBOX_TEST_RABBITMQ_URI", DemoOptions.DEFAULT_RABBITMQ_URI),
            "--duration",
            "2s",
            "--drain-timeout",
            "30s");

    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    Map<String, Long> summary = run.summary();
    assertThat(summary.get("committed")).isPositive();
    assertThat(summary.get("delivered")).isEqualTo(summary.get("committed"));
    assertThat(summary.get("rolled_back_delivered")).isZero();
    assertThat(run.out()).contains("RabbitMQ exchange 'orders'");
  }

  @Test
  void unreachableDatabaseExitsNonZeroNamingTheUrlAndHowToPointElsewhere() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/postgres";

    Run run = run("--jdbc-url", url, "--duration", "1s");

    assertThat(run.exitCode()).isEqualTo(OrderDemo.EXIT_UNREACHABLE);
    assertThat(run.err())
        .contains("could not connect to PostgreSQL at " + url)
        .contains("--jdbc-url")
        .contains("OUTBOX_DEMO_JDBC_URL");
    assertThat(run.out()).doesNotContain("SUMMARY");
  }

  @Test
  void invalidOptionExitsWithUsageNamingTheOption() {
    Run run = run("--threads", "0");

    assertThat(run.exitCode()).isEqualTo(OrderDemo.EXIT_USAGE);
    assertThat(run.err())
        .contains("--threads must be a whole number from 1 to 64, was '0'")
        .contains("Usage:");
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
