package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.outbox.PayloadCodec;
import dev.outbox.jackson.JacksonPayloadCodec;
import dev.outbox.postgres.PostgresTestDatabase;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which codec the outbox's typed {@code add} gets, on PostgreSQL: a {@link JacksonPayloadCodec}
 * over the application's Jackson 2 {@link ObjectMapper} or the codec's default one, the
 * application's own {@code PayloadCodec<Object>} instead, and none without outbox-jackson.
 */
class PayloadCodecAutoConfigurationIT {
  private static PostgresTestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = PostgresTestDatabase.create();
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  /** The value the codecs here encode. */
  record Shipped(String orderId, int parcelCount) {}

  private static ApplicationContextRunner runner() {
    ApplicationContextRunner r =
        new ApplicationContextRunner()
            .withConfiguration(
                AutoConfigurations.of(
                    DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class,
                    TransactionAutoConfiguration.class,
                    OutboxTelemetryAutoConfiguration.class,
                    OutboxJacksonAutoConfiguration.class,
                    OutboxAutoConfiguration.class));
    for (var e : TestApps.properties(db).entrySet()) {
      r = r.withPropertyValues(e.getKey() + "=" + e.getValue());
    }
    return r;
  }

  private static String encode(PayloadCodec<Object> codec) {
    return new String(codec.encode(new Shipped("o-1", 2)), StandardCharsets.UTF_8);
  }

  @Test
  void withoutAnObjectMapperBeanTheCodecsDefaultMapperIsUsed() {
    runner()
        .run(
            c -> {
              assertThat(c).hasNotFailed().hasSingleBean(JacksonPayloadCodec.class);
              PayloadCodec<Object> codec =
                  c.getBean(TransactionalOutbox.class).payloadCodec().orElseThrow();
              assertThat(codec).isSameAs(c.getBean(JacksonPayloadCodec.class));
              assertThat(encode(codec)).isEqualTo("{\"orderId\":\"o-1\",\"parcelCount\":2}");
            });
  }

  @Test
  void theApplicationsObjectMapperBeanIsUsed() {
    ObjectMapper snake =
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    runner()
        .withBean(ObjectMapper.class, () -> snake)
        .run(
            c -> {
              JacksonPayloadCodec codec = c.getBean(JacksonPayloadCodec.class);
              assertThat(codec.objectMapper()).isSameAs(snake);
              assertThat(encode(c.getBean(TransactionalOutbox.class).payloadCodec().orElseThrow()))
                  .isEqualTo("{\"order_id\":\"o-1\",\"parcel_count\":2}");
            });
  }

  @Test
  void theApplicationsOwnCodecWins() {
    PayloadCodec<Object> text = PayloadCodec.of("text/plain", v -> v.toString().getBytes());
    runner()
        .withBean("textCodec", PayloadCodec.class, () -> text)
        .run(
            c -> {
              assertThat(c).doesNotHaveBean(JacksonPayloadCodec.class);
              assertThat(c.getBean(TransactionalOutbox.class).payloadCodec()).containsSame(text);
            });
  }

  @Test
  void aCodecOfAnotherTypeLeavesTheJsonCodecInPlace() {
    runner()
        .withUserConfiguration(StringCodecConfig.class)
        .run(
            c -> {
              assertThat(c).hasSingleBean(JacksonPayloadCodec.class);
              assertThat(c.getBean(TransactionalOutbox.class).payloadCodec())
                  .containsInstanceOf(JacksonPayloadCodec.class);
            });
  }

  @Test
  void withoutOutboxJacksonThereIsNoCodecAndATypedAddIsRefused() {
    runner()
        .withClassLoader(new FilteredClassLoader(JacksonPayloadCodec.class))
        .run(
            c -> {
              assertThat(c).hasNotFailed().doesNotHaveBean(PayloadCodec.class);
              TransactionalOutbox outbox = c.getBean(TransactionalOutbox.class);
              assertThat(outbox.payloadCodec()).isEmpty();
              TransactionTemplate tx = c.getBean(TransactionTemplate.class);
              assertThatThrownBy(
                      () ->
                          tx.executeWithoutResult(
                              s -> outbox.add("shipments", "o-1", new Shipped("o-1", 1))))
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessageContaining("no payload codec")
                  .hasMessageContaining(Shipped.class.getName());
            });
  }

  /** A codec the outbox cannot use: it encodes strings only. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class StringCodecConfig {
    @org.springframework.context.annotation.Bean
    PayloadCodec<String> upperCase() {
      return PayloadCodec.of("text/plain", v -> v.toUpperCase().getBytes());
    }
  }
}
