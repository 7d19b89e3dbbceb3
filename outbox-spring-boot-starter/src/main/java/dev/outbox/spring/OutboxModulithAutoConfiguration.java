package dev.outbox.spring;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.modulith.events.EventExternalizationConfiguration;
import org.springframework.modulith.events.core.EventSerializer;
import org.springframework.modulith.events.support.BrokerRouting;

/**
 * Spring Modulith's event externalization through the outbox ({@link ModulithOutboxExternalizer}),
 * when the application has Modulith's events (its externalization configuration and event
 * serializer) and one outbox; {@code outbox.modulith.enabled=false} leaves it out.
 */
@AutoConfiguration(
    after = {OutboxAutoConfiguration.class, OutboxInstancesAutoConfiguration.class},
    afterName = {
      "org.springframework.modulith.events.config.EventExternalizationAutoConfiguration",
      "org.springframework.modulith.events.jackson.JacksonEventSerializationConfiguration",
      "org.springframework.modulith.events.jackson2.Jackson2EventSerializationConfiguration"
    })
@ConditionalOnClass({
  EventExternalizationConfiguration.class,
  EventSerializer.class,
  BrokerRouting.class
})
@ConditionalOnBean({EventExternalizationConfiguration.class, EventSerializer.class})
@ConditionalOnSingleCandidate(TransactionalOutbox.class)
@ConditionalOnBooleanProperty(name = "outbox.modulith.enabled", matchIfMissing = true)
public class OutboxModulithAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public OutboxModulithAutoConfiguration() {}

  /** Enlists the events Modulith externalizes, in the transaction that publishes them. */
  @Bean
  @ConditionalOnMissingBean
  public ModulithOutboxExternalizer modulithOutboxExternalizer(
      EventExternalizationConfiguration configuration,
      EventSerializer serializer,
      TransactionalOutbox outbox,
      BeanFactory beans) {
    // Routing expressions may name beans (@bean), as in Modulith's own transports.
    StandardEvaluationContext routing = new StandardEvaluationContext();
    routing.setBeanResolver(new BeanFactoryResolver(beans));
    return new ModulithOutboxExternalizer(configuration, serializer, outbox, routing);
  }
}
