package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.outbox.BatchOutcomes;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.PayloadCodec;
import dev.outbox.Sender;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers outbox messages to RabbitMQ as persistent messages, with publisher confirms. The
 * exchange and routing key are derived from the message's topic and key (by default: exchange =
 * topic, routing key = key, or empty for a null key). Each AMQP message carries the outbox message
 * id as its {@code message-id} property, the enlist time as its {@code timestamp}, and the headers
 * given at enlist time (with {@code traceparent} when a span was current) as AMQP headers; a {@code
 * content-type} header (see {@link dev.outbox.PayloadCodec}) is also its {@code content-type}
 * property.
 *
 * <p>A batch is published at once on one confirm-mode channel and its stage completes when the
 * broker has confirmed every message: an ack means {@linkplain Outcome#sent sent}; a nack means
 * {@linkplain Outcome#retry retry}; a mandatory message returned as unroutable means {@linkplain
 * Outcome#dead dead} (nothing is bound to receive it). Messages in flight when the channel or the
 * connection dies are retried.
 *
 * <pre>{@code
 * ConnectionFactory factory = new ConnectionFactory();
 * factory.setUri("amqp://user:secret@rabbit:5672/vhost");
 * RabbitMqSender sender = RabbitMqSender.builder(factory).name("orders").build();
 * OutboxRelay relay = OutboxRelay.builder(dataSource, new PostgresDialect(), sender).build();
 * relay.start();
 * ...
 * relay.close();
 * sender.close();
 * }</pre>
 *
 * <p>The sender manages its one connection itself: it connects on the first batch, and a batch that
 * finds the connection broken (the broker restarted, the network failed) opens a new one; if that
 * fails, the batch is retried by the relay after its backoff, so nothing is lost; the failure says
 * why in words (authentication refused for the user, a virtual host missing or refused, connection
 * refused at host:port, TLS, timeout), never with the password. If the broker blocks publishing (a
 * memory or disk alarm), batches are retried instead of blocking the relay. Thread-safe: several
 * relays may share one sender; their batches are published one after the other. Close it after the
 * relay.
 */
public final class RabbitMqSender implements Sender, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RabbitMqSender.class);

  /** AMQP delivery mode of a message the broker writes to disk. */
  private static final int PERSISTENT = 2;

  private final RabbitMqSenderSettings settings;
  private final AmqpLink link;
  private final Object lock = new Object();
  private boolean closed;

  RabbitMqSender(RabbitMqSenderSettings settings, ConnectionFactory factory) {
    this.settings = settings;
    this.link = new AmqpLink(settings.name(), factory);
    log.info(
        "RabbitMQ sender '{}' created for {}:{} (vhost '{}'), mandatory={}, connectTimeout={}",
        settings.name(),
        factory.getHost(),
        factory.getPort(),
        factory.getVirtualHost(),
        settings.mandatory(),
        settings.connectTimeout());
  }

  /**
   * Starts configuring a sender that connects with a copy of {@code factory} (its host, port,
   * credentials, virtual host and TLS settings). The copy's automatic recovery is switched off,
   * because the sender reconnects by itself.
   */
  public static RabbitMqSenderBuilder builder(ConnectionFactory factory) {
    return new RabbitMqSenderBuilder(factory);
  }

  /** The sender's name, used in the connection name, thread names and logs. */
  public String name() {
    return settings.name();
  }

  /**
   * Publishes every record of {@code batch} and returns a stage that completes when the broker has
   * confirmed all of them, with one outcome per record. Blocks only to (re)connect, bounded by the
   * connect timeout, and to write the messages to the socket.
   */
  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    BatchOutcomes outcomes = new BatchOutcomes(batch);
    synchronized (lock) {
      Channel channel;
      try {
        channel = readyChannel();
      } catch (IOException | TimeoutException | RuntimeException e) {
        outcomes.retryAllMissing(e);
        return outcomes.future();
      }
      publishAll(channel, outcomes);
    }
    return outcomes.future();
  }

  /**
   * The channel to publish on, connecting first if needed.
   *
   * @throws IllegalStateException if the sender is closed
   * @throws IOException if the broker blocks publishing, or the channel cannot be opened
   * @throws TimeoutException if connecting timed out
   */
  private Channel readyChannel() throws IOException, TimeoutException {
    if (closed) {
      throw new IllegalStateException("RabbitMQ sender '" + name() + "' is closed");
    }
    String blocked = link.blockedReason();
    if (blocked != null) {
      throw new IOException("RabbitMQ blocks publishing on this connection: " + blocked);
    }
    return link.channel();
  }

  /** How often one batch may move to a new channel after the broker closed one. */
  private static final int MAX_CHANNEL_REOPENS = 3;

  private void publishAll(Channel channel, BatchOutcomes outcomes) {
    Map<String, String> missing = new HashMap<>();
    int reopened = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      Exception failure = publish(channel, link.tracker(), outcomes, i, missing);
      if (failure != null && reopened < MAX_CHANNEL_REOPENS && link.onlyChannelClosed(failure)) {
        // Only the channel was closed (messages awaiting its confirms are retried by its
        // shutdown listener): go on with this record on a new one.
        reopened++;
        try {
          channel = link.channel();
          failure = publish(channel, link.tracker(), outcomes, i, missing);
        } catch (IOException | TimeoutException | RuntimeException e) {
          failure = e;
        }
      }
      if (failure != null) {
        // The connection is broken: nothing later in the batch can be published on it.
        outcomes.retryAllMissing(failure);
        link.discard(failure);
        return;
      }
    }
  }

  /**
   * Publishes one record, or reports it dead if its exchange does not exist; returns the failure
   * that broke the channel (the record's outcome is then not reported), or null.
   *
   * @param missing the exchanges of this batch found missing, with the broker's answer
   */
  private Exception publish(
      Channel channel,
      ConfirmTracker tracker,
      BatchOutcomes outcomes,
      int index,
      Map<String, String> missing) {
    OutboxRecord r = outcomes.record(index);
    String exchange;
    String routingKey;
    try {
      exchange = settings.exchange().apply(r);
      routingKey = settings.routingKey().apply(r);
    } catch (RuntimeException e) {
      outcomes.retry(index, e);
      return null;
    }
    try {
      String notFound =
          missing.containsKey(exchange) ? missing.get(exchange) : link.missingExchange(exchange);
      if (notFound != null) {
        missing.put(exchange, notFound);
        outcomes.dead(
            index,
            "the exchange '"
                + exchange
                + "' does not exist on RabbitMQ ("
                + notFound
                + "); declare it, or map the topic to an exchange that exists");
        return null;
      }
    } catch (IOException e) {
      return e;
    }
    long sequence = channel.getNextPublishSeqNo();
    tracker.track(sequence, outcomes, index, r.messageId().toString());
    try {
      channel.basicPublish(exchange, routingKey, settings.mandatory(), properties(r), r.payload());
      return null;
    } catch (IOException | ShutdownSignalException e) {
      tracker.untrack(sequence);
      return e;
    }
  }

  private static AMQP.BasicProperties properties(OutboxRecord r) {
    Map<String, Object> headers = new HashMap<>(r.headers());
    return new AMQP.BasicProperties.Builder()
        .messageId(r.messageId().toString())
        .deliveryMode(PERSISTENT)
        .timestamp(Date.from(r.createdAt()))
        .contentType(r.headers().get(PayloadCodec.CONTENT_TYPE_HEADER))
        .headers(headers)
        .build();
  }

  /**
   * Stops accepting batches, waits up to the close timeout for the confirms of messages already
   * published (their outcomes are still reported; the rest are reported as retry) and closes the
   * connection. Idempotent. Close the relay first.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    boolean confirmed = awaitConfirms(settings.closeTimeout());
    synchronized (lock) {
      link.close(
          settings.closeTimeout(),
          new IllegalStateException("RabbitMQ sender '" + name() + "' was closed"));
    }
    if (!confirmed) {
      log.warn(
          "RabbitMQ sender '{}': some messages were still unconfirmed after closeTimeout {};"
              + " they are retried by the next relay",
          name(),
          settings.closeTimeout());
    }
    log.info("RabbitMQ sender '{}' closed", name());
  }

  private boolean awaitConfirms(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!link.tracker().isEmpty()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "RabbitMqSender{" + name() + '}';
  }

  /** The settings a builder validated. */
  record RabbitMqSenderSettings(
      String name,
      Function<OutboxRecord, String> exchange,
      Function<OutboxRecord, String> routingKey,
      boolean mandatory,
      Duration connectTimeout,
      Duration closeTimeout) {}
}
