package dev.outbox.examples.demo;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.Sender;
import dev.outbox.kafka.KafkaSender;
import dev.outbox.rabbitmq.RabbitMqSender;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the sender the demo was asked for, and the broker-side destination it delivers to. */
final class DemoSenders {
  /** Where the demo's messages go: a topic exchange / Kafka topic named like the outbox topic. */
  static final String TOPIC = "orders";

  /** The RabbitMQ queue bound to the {@value #TOPIC} exchange, so the messages can be seen. */
  static final String QUEUE = "outbox-demo.orders";

  /** The queue keeps at most this many messages, so repeated demo runs never fill the broker. */
  static final int QUEUE_MAX_LENGTH = 10_000;

  private DemoSenders() {}

  /**
   * A sender and what closes it.
   *
   * @param sender delivers the batches
   * @param resource closed after the relay
   * @param description where the messages go, for the operator
   */
  record DemoSender(Sender sender, AutoCloseable resource, String description) {}

  /**
   * The sender for {@code options}.
   *
   * @throws DemoException if the broker cannot be reached or prepared
   */
  static DemoSender create(DemoOptions options, PrintStream out) {
    return switch (options.sender()) {
      case PRINT ->
          new DemoSender(
              new PrintingSender(out, options.flakyPercent()), () -> {}, "printed to the console");
      case RABBITMQ -> rabbitMq(options.rabbitMqUri());
      case KAFKA -> kafka(options.kafkaBootstrap());
    };
  }

  private static DemoSender rabbitMq(String uri) {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri);
    } catch (Exception e) {
      throw new DemoException("--rabbitmq-uri '" + uri + "' is not a valid AMQP URI: " + e, e);
    }
    factory.setConnectionTimeout(5_000);
    declareQueue(factory, uri);
    RabbitMqSender sender = RabbitMqSender.builder(factory).name("demo").build();
    return new DemoSender(
        sender,
        sender,
        "RabbitMQ exchange '" + TOPIC + "' (see queue '" + QUEUE + "' with rabbitmqctl)");
  }

  /** A topic exchange named like the outbox topic, and a queue that receives every key. */
  private static void declareQueue(ConnectionFactory factory, String uri) {
    try (Connection c = factory.newConnection("outbox-demo-setup");
        Channel ch = c.createChannel()) {
      ch.exchangeDeclare(TOPIC, "topic", true);
      ch.queueDeclare(QUEUE, true, false, false, Map.of("x-max-length", QUEUE_MAX_LENGTH));
      ch.queueBind(QUEUE, TOPIC, "#");
    } catch (Exception e) {
      throw new DemoException(
          "could not reach RabbitMQ at "
              + redact(uri)
              + " ("
              + e
              + "). Start it, or point the demo elsewhere with --rabbitmq-uri or"
              + " OUTBOX_DEMO_RABBITMQ_URI",
          e);
    }
  }

  private static DemoSender kafka(String bootstrap) {
    createTopic(bootstrap);
    KafkaSender sender = KafkaSender.builder(bootstrap).name("demo").build();
    return new DemoSender(sender, sender, "Kafka topic '" + TOPIC + "' at " + bootstrap);
  }

  private static void createTopic(String bootstrap) {
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(config)) {
      admin
          .createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1)))
          .all()
          .get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw kafkaUnreachable(bootstrap, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw kafkaUnreachable(bootstrap, e);
    } catch (Exception e) {
      throw kafkaUnreachable(bootstrap, e);
    }
  }

  private static DemoException kafkaUnreachable(String bootstrap, Throwable cause) {
    return new DemoException(
        "could not create topic '"
            + TOPIC
            + "' on Kafka at "
            + bootstrap
            + " ("
            + cause
            + "). Start a broker, or point the demo elsewhere with --kafka-bootstrap or"
            + " OUTBOX_DEMO_KAFKA_BOOTSTRAP",
        cause);
  }

  /** The URI without its password, for messages. */
  static String redact(String uri) {
    return uri.replaceAll("//([^:/@]+):[^@]*@", "//$1:***@");
  }
}
