package dev.outbox.spring;

import dev.outbox.OutboxAdmin;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * The {@code outbox} Actuator endpoint, when the application has Actuator. Whether it is exposed
 * (over HTTP or JMX) follows Boot's {@code management.endpoints.*} settings; its writes are off
 * unless {@code outbox.actuator.writes-enabled=true}.
 */
@AutoConfiguration(after = OutboxAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnSingleCandidate(OutboxAdmin.class)
public class OutboxEndpointAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public OutboxEndpointAutoConfiguration() {}

  /** The endpoint over the application's {@link OutboxAdmin}. */
  @Bean
  @ConditionalOnMissingBean
  public OutboxEndpoint outboxEndpoint(OutboxAdmin admin, OutboxProperties props) {
    return new OutboxEndpoint(admin, props.getActuator().isWritesEnabled());
  }

  /** The endpoint's write operation over HTTP, answering 403 while writes are disabled. */
  @Bean
  @ConditionalOnMissingBean
  public OutboxEndpointWebExtension outboxEndpointWebExtension(OutboxEndpoint endpoint) {
    return new OutboxEndpointWebExtension(endpoint);
  }
}
