package dev.outbox.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.PayloadCodec;
import dev.outbox.jackson.JacksonPayloadCodec;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.ResolvableType;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * JSON payloads for the outboxes' typed {@code add(topic, key, value)}, when the application has
 * {@code outbox-jackson} and no {@code PayloadCodec<Object>} bean of its own: a {@link
 * JacksonPayloadCodec} over the application's Jackson 2 {@link ObjectMapper} bean if it has exactly
 * one (or a primary one), else over the codec's {@linkplain
 * JacksonPayloadCodec#defaultObjectMapper() default mapper}. Spring Boot 4's own mapper is Jackson
 * 3's {@code JsonMapper}, which is not used: a Jackson 2 {@code ObjectMapper} bean comes from the
 * application or from {@code spring-boot-jackson2}.
 */
@AutoConfiguration(
    before = {OutboxAutoConfiguration.class, OutboxInstancesAutoConfiguration.class},
    afterName = "org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration")
@ConditionalOnClass({JacksonPayloadCodec.class, ObjectMapper.class})
@ConditionalOnBooleanProperty(name = "outbox.enabled", matchIfMissing = true)
public class OutboxJacksonAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public OutboxJacksonAutoConfiguration() {}

  /** The JSON codec, unless the application has a {@code PayloadCodec<Object>} bean. */
  @Bean
  @Conditional(NoObjectCodec.class)
  public JacksonPayloadCodec outboxPayloadCodec(ObjectProvider<ObjectMapper> mappers) {
    return new JacksonPayloadCodec(mappers.getIfUnique(JacksonPayloadCodec::defaultObjectMapper));
  }

  /**
   * Matches when no bean is a {@code PayloadCodec<Object>}: a codec of another type ({@code
   * PayloadCodec<OrderEvent>}), which the outbox could not use, leaves the JSON codec in place.
   */
  static final class NoObjectCodec extends SpringBootCondition {
    static final ResolvableType OBJECT_CODEC =
        ResolvableType.forClassWithGenerics(PayloadCodec.class, Object.class);

    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      String[] codecs = context.getBeanFactory().getBeanNamesForType(OBJECT_CODEC, true, false);
      return codecs.length == 0
          ? ConditionOutcome.match("no PayloadCodec<Object> bean")
          : ConditionOutcome.noMatch("PayloadCodec<Object> bean " + String.join(", ", codecs));
    }
  }
}
