package dev.outbox.internal;

import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.RelayHeartbeat;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a relay reads from and reports to the admin tables: the paused topics, read before a claim
 * at most one poll interval apart, and its heartbeat row, written every few seconds and removed
 * when it closes. Its lease tokens carry its instance id in their first half, so that an operator
 * can tell which relay holds a lease.
 *
 * <p>A failure of these tables themselves (for example before the migration that creates them has
 * run) never stops delivery: the relay claims as if nothing were paused and logs a warning at most
 * every few minutes. A transient failure (the database away) fails the claim, which reports it.
 */
public final class RelayControl {
  private static final Logger log = LoggerFactory.getLogger(RelayControl.class);

  /** How often a relay writes its heartbeat row. */
  static final Duration HEARTBEAT = Duration.ofSeconds(5);

  /** Rows of relays not seen for this long are removed when a relay leaves. */
  static final Duration STALE = Duration.ofDays(1);

  private static final Duration WARN_EVERY = Duration.ofMinutes(5);

  private final DataSource dataSource;
  private final AdminSupport admin;
  private final OutboxDialect dialect;
  private final RelaySettings settings;
  private final long instance;
  private final String host;
  private final Instant startedAt;
  private final AtomicInteger inFlight = new AtomicInteger();

  private volatile Set<String> paused = Set.of();
  private volatile long pausesReadAt;
  private volatile boolean pausesRead;
  private volatile long heartbeatAt;
  private volatile boolean heartbeatSent;
  private volatile Instant lastClaimAt;
  private volatile long warnedAt;
  private volatile boolean warned;

  private RelayControl(
      DataSource dataSource, OutboxDialect dialect, AdminSupport admin, RelaySettings settings) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.admin = admin;
    this.settings = settings;
    long id = new SecureRandom().nextLong();
    this.instance = id == 0 ? 1 : id;
    this.host = hostName();
    this.startedAt = settings.clock().instant();
  }

  /** The control of a relay on {@code dialect}; one that controls nothing if it has no admin. */
  public static RelayControl of(DataSource dataSource, OutboxDialect dialect, RelaySettings s) {
    AdminSupport admin;
    try {
      admin = dialect.admin();
    } catch (UnsupportedOperationException e) {
      admin = null;
    }
    return new RelayControl(dataSource, dialect, admin, s);
  }

  /** A new lease token: this instance's id, then random bits. */
  UUID newToken() {
    return new UUID(instance, ThreadLocalRandom.current().nextLong());
  }

  /**
   * The topics not to claim, read from the pause table if the last read is a poll interval old;
   * {@link AdminSupport#ALL_TOPICS} among them when every topic is paused. Also writes the
   * heartbeat when it is due. Uses {@code c}, the claim's connection, so that a database that
   * cannot be reached fails the claim, which reports it, rather than only this read, which does
   * not.
   */
  Set<String> pausedTopics(Connection c) throws SQLException {
    if (admin == null) {
      return Set.of();
    }
    long now = System.nanoTime();
    boolean readPauses = !pausesRead || now - pausesReadAt >= settings.pollInterval().toNanos();
    boolean beat = !heartbeatSent || now - heartbeatAt >= HEARTBEAT.toNanos();
    if (!readPauses && !beat) {
      return paused;
    }
    try {
      if (readPauses) {
        Set<String> read = admin.pausedTopics(c, settings.tables());
        logChange(read);
        paused = read;
        pausesReadAt = now;
        pausesRead = true;
      }
      if (beat) {
        heartbeatAt = now;
        heartbeatSent = true;
        admin.heartbeat(c, settings.tables(), heartbeat());
      }
    } catch (SQLException e) {
      if (transientFailure(e, c)) {
        // The database is away, not the pause table: fail the claim, which reports it.
        throw e;
      }
      skip(now, e);
    } catch (RuntimeException e) {
      skip(now, e);
    }
    return paused;
  }

  private boolean transientFailure(SQLException e, Connection c) {
    if (dialect.isTransient(e)) {
      return true;
    }
    try {
      return c.isClosed() || !c.isValid(1);
    } catch (SQLException closed) {
      return true;
    }
  }

  /** The pause table could not be read: deliver as if nothing were paused, until the next read. */
  private void skip(long now, Exception e) {
    pausesReadAt = now;
    pausesRead = true;
    heartbeatAt = now;
    heartbeatSent = true;
    warn(e);
  }

  /** Counts a claimed batch as in flight. */
  void claimed(int messages, Instant at) {
    inFlight.addAndGet(messages);
    lastClaimAt = at;
  }

  /** Counts a batch as no longer in flight. */
  void finished(int messages) {
    inFlight.addAndGet(-messages);
  }

  /** Removes the relay's row; called when the relay closes. */
  public void leave() {
    if (admin == null || !heartbeatSent) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      admin.leave(c, settings.tables(), instance, settings.clock().instant().minus(STALE));
    } catch (SQLException | RuntimeException e) {
      log.debug(
          "outbox relay '{}': could not remove its relay row: {}", settings.name(), e.toString());
    }
  }

  private RelayHeartbeat heartbeat() {
    return new RelayHeartbeat(
        instance,
        settings.name(),
        host,
        startedAt,
        settings.clock().instant(),
        lastClaimAt,
        Math.max(0, inFlight.get()));
  }

  private void logChange(Set<String> read) {
    if (read.equals(paused)) {
      return;
    }
    if (read.isEmpty()) {
      log.info("outbox relay '{}': no topic is paused any more", settings.name());
    } else if (read.contains(AdminSupport.ALL_TOPICS)) {
      log.info("outbox relay '{}': every topic is paused; claiming nothing", settings.name());
    } else {
      log.info("outbox relay '{}': paused topics now {}", settings.name(), read);
    }
  }

  private void warn(Exception e) {
    long now = System.nanoTime();
    if (warned && now - warnedAt < WARN_EVERY.toNanos()) {
      log.debug(
          "outbox relay '{}': could not read paused topics: {}", settings.name(), e.toString());
      return;
    }
    warned = true;
    warnedAt = now;
    log.warn(
        "outbox relay '{}': could not read paused topics or report itself ({}); delivering as if"
            + " nothing were paused. Have the outbox migrations run? (next warning in {} at the"
            + " earliest)",
        settings.name(),
        e.toString(),
        WARN_EVERY);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
