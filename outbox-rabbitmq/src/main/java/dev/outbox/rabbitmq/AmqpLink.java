package dev.outbox.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
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
    Connection c = factory.newConnection("outbox-" + name);
    c.addBlockedListener(reason -> blockedReason = reason, () -> blockedReason = null);
    c.addShutdownListener(this::connectionLost);
    blockedReason = null;
    connection = c;
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
  }

  /** The first failure of an outage is a warning; the attempts after it would only repeat it. */
  private void logConnectFailure(Exception e) {
    if (++failedConnects == 1) {
      log.warn(
          "RabbitMQ sender '{}' could not connect to {}:{} ({}); batches are retried after the"
              + " relay's backoff until it can. Check that the broker is running and reachable",
          name,
          factory.getHost(),
          factory.getPort(),
          e.toString());
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
