package dev.outbox.spring;

import dev.outbox.OutboxAdmin;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code outbox} health indicator, when the application has Spring Boot's health support
 * (Actuator) and {@code management.health.outbox.enabled} is not false.
 */
@AutoConfiguration(after = OutboxAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnSingleCandidate(OutboxAdmin.class)
@ConditionalOnEnabledHealthIndicator("outbox")
public class OutboxHealthAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public OutboxHealthAutoConfiguration() {}

  /** Reports the backlog's age and the dead letters against {@code outbox.health.*}. */
  @Bean(name = "outboxHealthIndicator")
  @ConditionalOnMissingBean(name = "outboxHealthIndicator")
  public OutboxHealthIndicator outboxHealthIndicator(OutboxAdmin admin, OutboxProperties props) {
    return new OutboxHealthIndicator(admin, props.getHealth());
  }
}
