package dev.outbox.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Several outboxes in one application, from {@code outbox.instances.NAME.*}: each on the DataSource
 * bean it names, with its own tables, migrations, relay over the Sender bean it names, and
 * partition maintenance; its {@link TransactionalOutbox}, {@code OutboxAdmin} and relay are beans
 * qualified by NAME ({@code @Qualifier("billing") TransactionalOutbox}). With any instance set, the
 * single outbox of {@code outbox.*} is not configured.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
    },
    before = {OutboxHealthAutoConfiguration.class, OutboxEndpointAutoConfiguration.class})
@ConditionalOnBooleanProperty(name = "outbox.enabled", matchIfMissing = true)
@EnableConfigurationProperties(OutboxProperties.class)
@Import(OutboxInstancesRegistrar.class)
public class OutboxInstancesAutoConfiguration {
  static final ConfigurationPropertyName INSTANCES =
      ConfigurationPropertyName.of(OutboxProperties.PREFIX + ".instances");

  /** Creates the configuration; Spring calls it. */
  public OutboxInstancesAutoConfiguration() {}

  /** Whether any {@code outbox.instances.*} property is set. */
  static boolean hasInstances(Environment environment) {
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (source.containsDescendantOf(INSTANCES) == ConfigurationPropertyState.PRESENT) {
        return true;
      }
    }
    return false;
  }

  /** Matches when no {@code outbox.instances.*} property is set: the single outbox applies. */
  static final class NoInstances extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      return hasInstances(context.getEnvironment())
          ? ConditionOutcome.noMatch("outbox.instances.* configures several outboxes")
          : ConditionOutcome.match("no outbox.instances.* property");
    }
  }
}
