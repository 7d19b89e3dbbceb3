package dev.outbox.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.OutboxRecord;
import dev.outbox.rabbitmq.RabbitMqSender.RabbitMqSenderSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Configures a {@link RabbitMqSender}. {@link #build()} validates every option and names the first
 * invalid one. Not thread-safe.
 */
public final class RabbitMqSenderBuilder {
  /** Default {@link #name(String)}. */
  public static final String DEFAULT_NAME = "rabbitmq";

  /** Default {@link #connectTimeout(Duration)}: 5 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Default {@link #closeTimeout(Duration)}: 10 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Longest accepted {@link #closeTimeout(Duration)}: 5 minutes. */
  public static final Duration MAX_CLOSE_TIMEOUT = Duration.ofMinutes(5);

  /** Default {@link #mandatory(boolean)}: unroutable messages come back and are dead-lettered. */
  public static final boolean DEFAULT_MANDATORY = true;

  /** Default {@link #exchange(Function)}: the record's topic. */
  public static final Function<OutboxRecord, String> TOPIC_AS_EXCHANGE = OutboxRecord::topic;

  /** Default {@link #routingKey(Function)}: the record's key, or the empty string for none. */
  public static final Function<OutboxRecord, String> KEY_AS_ROUTING_KEY =
      r -> r.key() == null ? "" : r.key();

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final ConnectionFactory factory;
  private String name = DEFAULT_NAME;
  private Function<OutboxRecord, String> exchange = TOPIC_AS_EXCHANGE;
  private Function<OutboxRecord, String> routingKey = KEY_AS_ROUTING_KEY;
  private boolean mandatory = DEFAULT_MANDATORY;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

  RabbitMqSenderBuilder(ConnectionFactory factory) {
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /**
   * The sender's name in the connection name ({@code outbox-<name>}), thread names ({@code
   * outbox-<name>-amqp-<n>}) and logs: 1 to 64 letters, digits, dots, dashes or underscores.
   * Default: {@value #DEFAULT_NAME}.
   */
  public RabbitMqSenderBuilder name(String name) {
    this.name = name;
    return this;
  }

  /**
   * Maps a record to the exchange it is published to; the empty string is the default exchange,
   * which routes to the queue named by the routing key. Default: {@link #TOPIC_AS_EXCHANGE}.
   */
  public RabbitMqSenderBuilder exchange(Function<OutboxRecord, String> exchange) {
    this.exchange = exchange;
    return this;
  }

  /** Maps a record to its routing key. Default: {@link #KEY_AS_ROUTING_KEY}. */
  public RabbitMqSenderBuilder routingKey(Function<OutboxRecord, String> routingKey) {
    this.routingKey = routingKey;
    return this;
  }

  /**
   * Whether messages are published as mandatory, so that a message no queue is bound to receive is
   * returned and dead-lettered instead of silently dropped by the broker. Default: true.
   */
  public RabbitMqSenderBuilder mandatory(boolean mandatory) {
    this.mandatory = mandatory;
    return this;
  }

  /**
   * The longest a batch waits to open a connection and a channel; it replaces the factory's
   * connection, handshake and channel RPC timeouts, so a broker that does not answer cannot hold
   * the relay's thread for longer. From 100 ms to 5 minutes. Default: 5 seconds.
   */
  public RabbitMqSenderBuilder connectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
    return this;
  }

  /**
   * How long {@link RabbitMqSender#close()} waits for outstanding confirms and for the connection
   * to close; zero to 5 minutes. Default: 10 seconds.
   */
  public RabbitMqSenderBuilder closeTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
    return this;
  }

  /**
   * Returns the sender. It connects on its first batch, so this succeeds while the broker is down.
   *
   * @throws IllegalArgumentException naming the first invalid option and its allowed range
   */
  public RabbitMqSender build() {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name must be 1 to 64 letters, digits, '.', '-' or '_', was '" + name + "'");
    }
    Objects.requireNonNull(exchange, "exchange must not be null");
    Objects.requireNonNull(routingKey, "routingKey must not be null");
    Objects.requireNonNull(connectTimeout, "connectTimeout must not be null");
    if (connectTimeout.compareTo(Duration.ofMillis(100)) < 0
        || connectTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException(
          "connectTimeout must be between 100 ms and 5 minutes, was " + connectTimeout);
    }
    Objects.requireNonNull(closeTimeout, "closeTimeout must not be null");
    if (closeTimeout.isNegative() || closeTimeout.compareTo(MAX_CLOSE_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "closeTimeout must be between zero and 5 minutes, was " + closeTimeout);
    }
    RabbitMqSenderSettings settings =
        new RabbitMqSenderSettings(
            name, exchange, routingKey, mandatory, connectTimeout, closeTimeout);
    return new RabbitMqSender(settings, configure(factory.clone()));
  }

  private ConnectionFactory configure(ConnectionFactory copy) {
    int timeoutMs = (int) connectTimeout.toMillis();
    copy.setAutomaticRecoveryEnabled(false);
    copy.setTopologyRecoveryEnabled(false);
    copy.setConnectionTimeout(timeoutMs);
    copy.setHandshakeTimeout(timeoutMs);
    copy.setChannelRpcTimeout(timeoutMs);
    copy.setThreadFactory(threads("outbox-" + name + "-amqp-"));
    return copy;
  }

  /** Daemon threads, so a sender that was never closed does not keep the JVM alive. */
  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
