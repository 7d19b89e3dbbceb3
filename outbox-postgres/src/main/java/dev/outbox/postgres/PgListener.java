package dev.outbox.postgres;

import dev.outbox.spi.Wakeup;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the outbox channel and rings the relay's doorbell when a
 * notification arrives. Survives connection loss: it reconnects with a growing pause and rings once
 * after every (re)connect, since notifications sent while it was away are lost.
 */
final class PgListener implements Wakeup, Runnable {
  private static final Logger log = LoggerFactory.getLogger(PgListener.class);

  /** How long one wait for notifications blocks; bounds how long {@link #close()} waits. */
  static final int POLL_MILLIS = 250;

  static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(10);

  private final DataSource dataSource;
  private final String quotedChannel;
  private final String relayName;
  private final Runnable onWake;
  private final Thread thread;
  private volatile boolean running = true;

  private PgListener(
      DataSource dataSource, String quotedChannel, String relayName, Runnable onWake) {
    this.dataSource = dataSource;
    this.quotedChannel = quotedChannel;
    this.relayName = relayName;
    this.onWake = onWake;
    this.thread = new Thread(this, "outbox-" + relayName + "-listen");
    thread.setDaemon(true);
  }

  static PgListener start(
      DataSource dataSource, String quotedChannel, String relayName, Runnable onWake) {
    PgListener listener = new PgListener(dataSource, quotedChannel, relayName, onWake);
    listener.thread.start();
    return listener;
  }

  @Override
  public void run() {
    long delayMillis = 100;
    while (running) {
      try (Connection c = dataSource.getConnection()) {
        listen(c);
        delayMillis = 100;
      } catch (SQLException | RuntimeException e) {
        if (running) {
          log.warn(
              "outbox relay '{}': LISTEN connection failed ({}); reconnecting in {} ms, polling"
                  + " meanwhile",
              relayName,
              e.toString(),
              delayMillis);
          sleep(delayMillis);
          delayMillis = Math.min(delayMillis * 2, MAX_RECONNECT_DELAY.toMillis());
        }
      }
    }
  }

  private void listen(Connection c) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN " + quotedChannel);
    }
    onWake.run();
    PGConnection pg = c.unwrap(PGConnection.class);
    try {
      while (running) {
        PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
        if (notifications != null && notifications.length > 0) {
          onWake.run();
        }
      }
    } finally {
      unlisten(c);
    }
  }

  /** Leaves the connection clean for the next borrower from the pool. */
  private void unlisten(Connection c) {
    try (Statement s = c.createStatement()) {
      s.execute("UNLISTEN *");
    } catch (SQLException ignored) {
      // The connection is broken; the pool discards it.
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(POLL_MILLIS * 8L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("outbox relay '{}': listener thread did not stop in time; interrupting", relayName);
      thread.interrupt();
    }
  }
}
