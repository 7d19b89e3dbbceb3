package dev.outbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.examples.demo.DemoOptions.SenderKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void withoutFlagsOrEnvironmentTheDemoUsesTheLocalPostgresAndPrints() {
    DemoOptions o = DemoOptions.parse(new String[0], Map.of());

    assertThat(o.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
    assertThat(o.user()).isEqualTo("postgres");
    assertThat(o.password()).isEmpty();
    assertThat(o.schema()).isEqualTo("outbox_demo");
    assertThat(o.sender()).isEqualTo(SenderKind.PRINT);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.help()).isFalse();
  }

  @Test
  void environmentVariablesOverrideTheDefaultsAndFlagsOverrideBoth() {
    Map<String, String> env =
        Map.of(
            "OUTBOX_DEMO_JDBC_URL", "jdbc:postgresql://db:5432/app",
            "OUTBOX_DEMO_USER", "app",
            "OUTBOX_DEMO_PASSWORD", "secret",
            "OUTBOX_DEMO_RABBITMQ_URI", "amqp://rabbit");

    DemoOptions fromEnv = DemoOptions.parse(new String[0], env);
    DemoOptions fromFlags =
        DemoOptions.parse(
            new String[] {"--user", "other", "--jdbc-url=jdbc:postgresql://x/y"}, env);

    assertThat(fromEnv.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/app");
    assertThat(fromEnv.user()).isEqualTo("app");
    assertThat(fromEnv.password()).isEqualTo("secret");
    assertThat(fromEnv.rabbitMqUri()).isEqualTo("amqp://rabbit");
    assertThat(fromFlags.user()).isEqualTo("other");
    assertThat(fromFlags.jdbcUrl()).isEqualTo("jdbc:postgresql://x/y");
    assertThat(fromFlags.password()).isEqualTo("secret");
  }

  @Test
  void theDatabaseComesFromTheUrlAndAnUnsupportedOneIsRefused() {
    DemoOptions mysql = parse("--jdbc-url", "jdbc:mysql://db:3306/");
    assertThat(mysql.database()).isEqualTo(DemoDatabase.MYSQL);
    assertThat(mysql.user()).as("MySQL's default user").isEqualTo("root");

    DemoOptions mariadb = parse("--jdbc-url", "jdbc:MariaDB://db/?user=app");
    assertThat(mariadb.database()).isEqualTo(DemoDatabase.MYSQL);
    assertThat(DemoDatabase.driverUrl(mariadb.jdbcUrl())).isEqualTo("jdbc:mysql://db/?user=app");
    assertThat(DemoDatabase.driverUrl("jdbc:postgresql://db/app"))
        .isEqualTo("jdbc:postgresql://db/app");

    assertThatThrownBy(() -> parse("--jdbc-url", "jdbc:oracle:thin:@db:1521/app"))
        .hasMessageContaining("--jdbc-url: the examples run on PostgreSQL")
        .hasMessageEndingWith("not on 'jdbc:oracle:'");
    assertThatThrownBy(() -> parse("--jdbc-url", "postgres://db/app"))
        .hasMessageEndingWith("not on 'postgres://db/app'");
  }

  @Test
  void flagsAcceptBothSpellingsAndDurationUnits() {
    DemoOptions o =
        DemoOptions.parse(
            new String[] {
              "--sender", "KAFKA", "--duration=500ms", "--drain-timeout", "2m", "--threads", "8"
            },
            Map.of());

    assertThat(o.sender()).isEqualTo(SenderKind.KAFKA);
    assertThat(o.duration()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.drainTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.threads()).isEqualTo(8);
  }

  @Test
  void invalidValuesAreRejectedNamingTheFlagAndTheAllowedValues() {
    assertThatThrownBy(() -> parse("--rate", "0"))
        .hasMessage("--rate must be a whole number from 1 to 1000, was '0'");
    assertThatThrownBy(() -> parse("--rollback-percent", "many"))
        .hasMessageContaining("--rollback-percent must be a whole number from 0 to 100");
    assertThatThrownBy(() -> parse("--duration", "10"))
        .hasMessageContaining("--duration must be a positive duration such as 500ms, 30s or 2m");
    assertThatThrownBy(() -> parse("--duration", "11m"))
        .hasMessageContaining("--duration must be a positive duration");
    assertThatThrownBy(() -> parse("--sender", "smtp"))
        .hasMessage("--sender must be print, rabbitmq or kafka, was 'smtp'");
    assertThatThrownBy(() -> parse("--schema", "x; drop table y"))
        .hasMessageContaining(
            "--schema: schema name 'x; drop table y' is not a plain SQL identifier");
  }

  @Test
  void unknownOptionsAndMissingValuesAreRejected() {
    assertThatThrownBy(() -> parse("--colour", "red"))
        .hasMessageContaining("unknown option --colour");
    assertThatThrownBy(() -> parse("--threads")).hasMessage("--threads needs a value");
    assertThatThrownBy(() -> parse("orders")).hasMessageContaining("unexpected argument 'orders'");
  }

  @Test
  void helpNeedsNoValue() {
    assertThat(parse("--help").help()).isTrue();
  }

  private static DemoOptions parse(String... args) {
    return DemoOptions.parse(args, Map.of());
  }
}
