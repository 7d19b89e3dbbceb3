package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender's one connection and its one confirm-mode channel, opened when needed and replaced
 * when broken, with the {@link ConfirmTracker} of that channel. Not thread-safe: the sender calls
 * it under its lock; only {@link #tracker()} and {@link #blockedReason()} may be read without it.
 */
final class AmqpLink {
  private static final Logger log = LoggerFactory.getLogger(AmqpLink.class);

  /** How long dropping a broken connection may wait for the broker's answer. */
  private static final int ABORT_TIMEOUT_MS = 1000;

  private final String name;
  private final ConnectionFactory factory;
  private Connection connection;
  private Channel channel;
  private volatile ConfirmTracker tracker = new ConfirmTracker();
  private volatile String blockedReason;
  private int failedConnects;

  /** The channel for passive exchange declarations, which the broker closes on a missing one. */
  private Channel probe;

  /** Exchanges seen to exist on the current connection. */
  private final Set<String> exchanges = new HashSet<>();

  AmqpLink(String name, ConnectionFactory factory) {
    this.name = name;
    this.factory = factory;
  }

  /**
   * An open confirm-mode channel, connecting first if the connection is missing or broken.
   *
   * @throws IOException or TimeoutException if the broker cannot be reached within the factory's
   *     timeouts; logged once per outage
   */
  Channel channel() throws IOException, TimeoutException {
    if (channel != null && channel.isOpen()) {
      return channel;
    }
    try {
      if (connection == null || !connection.isOpen()) {
        connect();
      }
      openChannel();
      return channel;
    } catch (IOException | TimeoutException | RuntimeException e) {
      logConnectFailure(e);
      throw e;
    }
  }

  /** The tracker of the current channel: what awaits a confirm. */
  ConfirmTracker tracker() {
    return tracker;
  }

  /** Why the broker blocks publishing on the connection (a resource alarm), or null. */
  String blockedReason() {
    return blockedReason;
  }

  private void connect() throws IOException, TimeoutException {
    abortQuietly(connection);
    connection = null;
    Connection c;
    try {
      c = factory.newConnection("outbox-" + name);
    } catch (IOException | TimeoutException | ShutdownSignalException e) {
      Exception described = ConnectFailure.describe(e, factory); // in words, without password
      if (described instanceof TimeoutException t) {
        throw t;
      }
      throw (IOException) described;
    }
    c.addBlockedListener(reason -> blockedReason = reason, () -> blockedReason = null);
    c.addShutdownListener(this::connectionLost);
    blockedReason = null;
    connection = c;
    probe = null;
    exchanges.clear();
    log.info(
        "RabbitMQ sender '{}' connected to {}{}",
        name,
        c,
        failedConnects == 0 ? "" : " after " + failedConnects + " failed attempts");
    failedConnects = 0;
  }

  private void connectionLost(ShutdownSignalException cause) {
    if (!cause.isInitiatedByApplication()) {
      log.warn(
          "RabbitMQ sender '{}' lost its connection ({}); messages awaiting a confirm are"
              + " retried, and the next batch reconnects",
          name,
          cause.getMessage());
    }
  }

  private void openChannel() throws IOException {
    Channel ch = connection.createChannel();
    if (ch == null) {
      throw new IOException("RabbitMQ has no free channel on connection " + connection);
    }
    ConfirmTracker t = new ConfirmTracker();
    ch.confirmSelect();
    ch.addConfirmListener(t::acked, t::nacked);
    ch.addReturnListener(t::returned);
    ch.addShutdownListener(t::failAll);
    channel = ch;
    tracker = t;
    exchanges.clear(); // the last channel may have died of a deleted exchange: check them again
  }

  /**
   * Why {@code exchange} cannot take messages because it does not exist (the broker's 404 answer to
   * a passive declaration), or null if it exists or the broker did not say. Asked once per
   * connection for an exchange that exists, on a channel of its own, so a missing exchange never
   * closes the publishing channel. Call after {@link #channel()}.
   *
   * @throws IOException if the connection broke while asking
   */
  String missingExchange(String exchange) throws IOException {
    if (exchange.isEmpty() || exchanges.contains(exchange)) {
      return null;
    }
    try {
      if (probe == null || !probe.isOpen()) {
        probe = connection.createChannel();
        if (probe == null) {
          return null; // no free channel: let the publish tell
        }
      }
      probe.exchangeDeclarePassive(exchange);
      exchanges.add(exchange);
      return null;
    } catch (IOException | ShutdownSignalException e) {
      ShutdownSignalException s = ConnectFailure.find(e, ShutdownSignalException.class);
      if (s != null
          && !s.isHardError()
          && s.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == AMQP.NOT_FOUND) {
        probe = null;
        return close.getReplyCode() + " " + close.getReplyText();
      }
      if (connection == null || !connection.isOpen()) {
        throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      }
      log.debug("RabbitMQ sender '{}': could not check exchange '{}': {}", name, exchange, e);
      return null; // not known: publish, and let the broker answer
    }
  }

  /**
   * Whether {@code failure} of a publish closed only the channel (a channel-level error such as a
   * 404 for an exchange deleted since it was checked) while the connection stays open; the exchange
   * checks are then made again.
   */
  boolean onlyChannelClosed(Exception failure) {
    ShutdownSignalException s = ConnectFailure.find(failure, ShutdownSignalException.class);
    boolean channelOnly =
        s != null && !s.isHardError() && connection != null && connection.isOpen();
    if (channelOnly) {
      log.warn(
          "RabbitMQ sender '{}': the broker closed the publishing channel ({}); messages"
              + " awaiting a confirm on it are retried, and publishing continues on a new channel",
          name,
          s.getMessage());
      channel = null;
      exchanges.clear();
    }
    return channelOnly;
  }

  /** The first failure of an outage is a warning; the attempts after it would only repeat it. */
  private void logConnectFailure(Exception e) {
    if (++failedConnects == 1) {
      log.warn(
          "RabbitMQ sender '{}' could not connect: {}; batches are retried after the relay's"
              + " pause until it can",
          name,
          e.getMessage());
    } else {
      log.debug("RabbitMQ sender '{}': connect attempt {} failed: {}", name, failedConnects, e);
    }
  }

  /**
   * Drops the connection after a publish failed on it, so the next batch opens a new one. What
   * still awaits a confirm is retried: the channel's shutdown listener does so, and this does it
   * again in case the abort could not run the listeners.
   */
  void discard(Exception cause) {
    ConfirmTracker t = tracker;
    abortQuietly(connection);
    connection = null;
    channel = null;
    t.failAll(cause);
  }

  /**
   * Closes the connection, waiting at most {@code timeout}; retries what still awaits a confirm.
   */
  void close(Duration timeout, Exception cause) {
    ConfirmTracker t = tracker;
    if (connection != null) {
      int timeoutMs = (int) Math.max(1, timeout.toMillis());
      try {
        connection.close(timeoutMs);
      } catch (IOException | ShutdownSignalException e) {
        connection.abort(timeoutMs); // already broken: release its threads and socket
      }
    }
    connection = null;
    channel = null;
    t.failAll(cause);
  }

  private static void abortQuietly(Connection c) {
    if (c != null) {
      c.abort(ABORT_TIMEOUT_MS); // never throws; waits at most the timeout
    }
  }
}
