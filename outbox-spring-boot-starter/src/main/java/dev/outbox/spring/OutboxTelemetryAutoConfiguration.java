package dev.outbox.spring;

import dev.outbox.spring.micrometer.MicrometerOpenTelemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Where the outboxes record metrics and traces ({@link OutboxTelemetry}): the application's {@link
 * OpenTelemetry} bean if it has one; else, with Micrometer, its {@link MeterRegistry} for metrics
 * (the outbox's names, {@code outbox.messages.sent}, ..., attributes as tags) and {@code
 * GlobalOpenTelemetry} for traces; else {@code GlobalOpenTelemetry}.
 */
@AutoConfiguration(
    before = {OutboxAutoConfiguration.class, OutboxInstancesAutoConfiguration.class},
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnBooleanProperty(name = "outbox.enabled", matchIfMissing = true)
public class OutboxTelemetryAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public OutboxTelemetryAutoConfiguration() {}

  /** The application's Micrometer, when it has no OpenTelemetry bean. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnSingleCandidate(MeterRegistry.class)
  @ConditionalOnMissingBean(OpenTelemetry.class)
  static class Micrometer {
    @Bean
    @ConditionalOnMissingBean
    OutboxTelemetry outboxMicrometerTelemetry(MeterRegistry registry) {
      return OutboxTelemetry.of(new MicrometerOpenTelemetry(registry, GlobalOpenTelemetry.get()));
    }
  }

  /** The application's OpenTelemetry bean, or GlobalOpenTelemetry. */
  @Bean
  @ConditionalOnMissingBean
  public OutboxTelemetry outboxTelemetry(ObjectProvider<OpenTelemetry> openTelemetry) {
    OpenTelemetry bean = openTelemetry.getIfAvailable();
    return bean == null ? OutboxTelemetry.global() : OutboxTelemetry.of(bean);
  }
}
