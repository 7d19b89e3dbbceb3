package dev.outbox.spring;

import dev.outbox.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.springframework.context.event.EventListener;
import org.springframework.expression.EvaluationContext;
import org.springframework.modulith.events.EventExternalizationConfiguration;
import org.springframework.modulith.events.core.EventSerializer;
import org.springframework.modulith.events.support.BrokerRouting;

/**
 * Spring Modulith's event externalization through the outbox. An event that Modulith's {@link
 * EventExternalizationConfiguration} selects (by default, those annotated {@code @Externalized} in
 * the application's packages) is enlisted, while it is published, in the transaction that publishes
 * it: an outbox message on the routing target's topic, with its key (SpEL expressions such as
 * {@code @Externalized("orders::#{#this.id()}")} evaluated on the event), the event as Modulith
 * maps it and serializes it (JSON with Jackson), and Modulith's headers for it plus {@code type},
 * the event's class. It commits or rolls back with the business write, and the relay delivers it
 * through the application's {@code Sender}, with the outbox's retries, per-key order and dead
 * letters.
 *
 * <p>An event published outside a transaction fails the publishing call ({@link
 * TransactionalOutbox#add}). Use it instead of a Modulith transport module
 * (spring-modulith-events-kafka, -amqp, ...), which would externalize the event a second time.
 */
public final class ModulithOutboxExternalizer {
  /** The header naming the event's class. */
  public static final String TYPE_HEADER = "type";

  private final EventExternalizationConfiguration configuration;
  private final EventSerializer serializer;
  private final TransactionalOutbox outbox;
  private final EvaluationContext routingContext;

  /**
   * @param configuration selects, maps and routes the events
   * @param serializer turns a mapped event into the payload
   * @param outbox enlists the messages
   * @param routingContext evaluates the routing target's expressions
   */
  public ModulithOutboxExternalizer(
      EventExternalizationConfiguration configuration,
      EventSerializer serializer,
      TransactionalOutbox outbox,
      EvaluationContext routingContext) {
    this.configuration = Objects.requireNonNull(configuration, "configuration");
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.routingContext = Objects.requireNonNull(routingContext, "routingContext");
  }

  /**
   * Enlists {@code event} if the configuration selects it; ignores it otherwise. (A listener's
   * return value would be published as an event, so the message id is not returned.)
   *
   * @throws IllegalStateException if no transaction is active; nothing is written
   */
  @EventListener
  public void externalize(Object event) {
    if (!configuration.supports(event)) {
      return;
    }
    BrokerRouting routing = BrokerRouting.of(configuration.determineTarget(event), routingContext);
    Object payload = serializer.serialize(configuration.map(event));
    OutboxMessage.Builder message =
        OutboxMessage.builder(routing.getTarget(event))
            .key(routing.getKey(event))
            .payload(String.valueOf(payload).getBytes(StandardCharsets.UTF_8))
            .header(TYPE_HEADER, event.getClass().getName());
    for (Map.Entry<String, Object> h : configuration.getHeadersFor(event).entrySet()) {
      message.header(h.getKey(), String.valueOf(h.getValue()));
    }
    outbox.add(message.build());
  }
}
