package dev.outbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.examples.TestMySql;
import dev.outbox.kafka.testkit.EmbeddedKafka;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.testkit.RoundTrip.Received;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
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

  @Test
  void demoDeliversEveryCommittedOrderAndNoRolledBackOne() {
    String schema = pg.extraSchema("print");
    DemoRun run =
        DemoRun.run(
            "--jdbc-url", pg.jdbcUrl(),
            "--schema", schema,
            "--duration", "3s",
            "--rate", "100",
            "--rollback-percent", "25",
            "--flaky-percent", "10",
            "--drain-timeout", "30s");

    Map<String, Long> summary = run.assertConsistent();
    assertThat(summary.get("rolled_back")).as("rolled back on purpose").isPositive();
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
  void aFlakyBrokerDeadLettersSomeAndTheSummaryCountsThemAsTheTableDoes() {
    // 90% of sends fail: after 10 attempts about a third of the messages die. The sender never
    // sees a death (the last failure is one more retry to it), so the count must come from the
    // dead-letter table.
    String schema = pg.extraSchema("flaky");
    DemoRun run =
        DemoRun.run(
            "--jdbc-url", pg.jdbcUrl(),
            "--schema", schema,
            "--duration", "2s",
            "--rate", "20",
            "--flaky-percent", "90",
            "--drain-timeout", "60s");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    Map<String, Long> summary = run.summary();
    long deadInTable = pg.queryLong("SELECT count(*) FROM " + schema + ".outbox_message_dead");
    long sentInTable =
        pg.queryLong("SELECT count(*) FROM " + schema + ".outbox_message WHERE status = 1");
    assertThat(deadInTable).as("some messages died").isPositive();
    assertThat(summary.get("dead")).isEqualTo(deadInTable);
    assertThat(summary.get("undelivered")).isZero();
    assertThat(sentInTable + deadInTable).isEqualTo(summary.get("committed"));
    assertThat(run.out())
        .contains("moved to the dead letters (" + deadInTable + ")")
        .contains("no later run delivers them")
        .contains(
            "dead list --jdbc-url " + pg.jdbcUrl().replaceAll("(?i)(password=)[^&;]*", "$1***"))
        .contains("--schema " + schema);
    assertThat(run.out() + run.err()).doesNotContain("the next run delivers them");
    if (summary.get("duplicates") > 0) {
      assertThat(run.out()).contains("Consumers drop them by the message id");
    }
  }

  @Test
  void aRefusedUserGetsAdviceAboutCredentialsNotAboutStartingTheServer() {
    String url =
        TestMySql.jdbcUrl()
            .replaceAll("(?<=[?&;])(user|password)=[^&;]*[&;]?", "")
            .replaceFirst("^jdbc:mysql:", "jdbc:mariadb:");

    DemoRun run =
        DemoRun.run(
            "--jdbc-url",
            url,
            "--user",
            "outbox_no_such_user",
            "--password",
            "wrong",
            "--duration",
            "1s");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(OrderDemo.EXIT_UNREACHABLE);
    assertThat(run.err())
        .contains("as user 'outbox_no_such_user'")
        .contains("the server refused the user or its password")
        .contains("--user")
        .doesNotContain("start MySQL/MariaDB there");
  }

  @Test
  void demoWithTheRabbitMqSenderDeliversEveryCommittedOrder() {
    DemoRun run =
        DemoRun.run(
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

    run.assertConsistent();
    assertThat(run.out()).contains("RabbitMQ exchange 'orders'");
  }

  /**
   * The same demo on MariaDB/MySQL, given a {@code jdbc:mariadb:} URL: the database is chosen from
   * the URL, the {@code orders} migration and the dialect are MySQL's, and the driver the demo
   * ships (MySQL Connector/J) connects.
   */
  @Test
  void demoOnMariaDbWithAMariaDbUrlDeliversEveryCommittedOrder() throws Exception {
    String database =
        "outbox_demo_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String url = TestMySql.jdbcUrl().replaceFirst("^jdbc:mysql:", "jdbc:mariadb:");
    try {
      DemoRun run =
          DemoRun.run(
              "--jdbc-url", url,
              "--schema", database,
              "--duration", "2s",
              "--rate", "100",
              "--drain-timeout", "30s");

      Map<String, Long> summary = run.assertConsistent();
      assertThat(run.out()).contains("[demo] MySQL/MariaDB ").contains("database " + database);
      assertThat(mySqlCount("SELECT count(*) FROM " + database + ".orders"))
          .as("only committed orders exist")
          .isEqualTo(summary.get("committed"));
      assertThat(
              mySqlCount("SELECT count(*) FROM " + database + ".outbox_message WHERE status = 1"))
          .as("only committed orders' messages exist, all sent")
          .isEqualTo(summary.get("committed"));
    } finally {
      TestMySql.execute("DROP DATABASE IF EXISTS " + database);
    }
  }

  @Test
  void aDatabaseTheDemoDoesNotRunOnIsRefusedBeforeItConnects() {
    DemoRun run = DemoRun.run("--jdbc-url", "jdbc:sqlserver://127.0.0.1:1433;databaseName=shop");

    assertThat(run.exitCode()).isEqualTo(OrderDemo.EXIT_USAGE);
    assertThat(run.err())
        .contains(
            "--jdbc-url: the examples run on PostgreSQL (jdbc:postgresql:) and MySQL or MariaDB")
        .contains("not on 'jdbc:sqlserver:'");
    assertThat(run.out()).doesNotContain("[demo]");
  }

  @Test
  void demoWithTheKafkaSenderDeliversEveryCommittedOrder() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      DemoRun run =
          DemoRun.run(
              "--jdbc-url",
              pg.jdbcUrl(),
              "--schema",
              pg.extraSchema("demo_kafka"),
              "--sender",
              "kafka",
              "--kafka-bootstrap",
              kafka.bootstrapServers(),
              "--duration",
              "2s",
              "--drain-timeout",
              "30s");

      long committed = run.assertConsistent().get("committed");
      assertThat(kafka.consume("orders", (int) committed, Duration.ofSeconds(30)))
          .extracting(Received::key)
          .allMatch(key -> key.startsWith("customer-"));
    }
  }

  @Test
  void unreachableDatabaseExitsNonZeroNamingTheUrlAndHowToPointElsewhere() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/postgres";

    DemoRun run = DemoRun.run("--jdbc-url", url, "--duration", "1s");

    assertThat(run.exitCode()).isEqualTo(OrderDemo.EXIT_UNREACHABLE);
    assertThat(run.err())
        .contains("could not connect to PostgreSQL at " + url)
        .contains("--jdbc-url")
        .contains("OUTBOX_DEMO_JDBC_URL");
    assertThat(run.out()).doesNotContain("SUMMARY");
  }

  @Test
  void invalidOptionExitsWithUsageNamingTheOption() {
    DemoRun run = DemoRun.run("--threads", "0");

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

  private static long mySqlCount(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(TestMySql.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
