package dev.outbox.spring;

import dev.outbox.inbox.Inbox;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link Inbox#expire()} with the application context: once when it starts, then every {@code
 * period} on a thread of its own, until the context closes. A failed run is logged at WARN and
 * tried again a period later; until a run succeeds, expired ids take room but are never taken for
 * live ones.
 */
public final class InboxExpiryLifecycle implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(InboxExpiryLifecycle.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final Inbox inbox;
  private final Duration period;
  private final AtomicLong runs = new AtomicLong();
  private ScheduledExecutorService executor;

  /**
   * @param inbox whose table is expired
   * @param period the time between two runs; positive
   */
  public InboxExpiryLifecycle(Inbox inbox, Duration period) {
    this.inbox = Objects.requireNonNull(inbox, "inbox");
    this.period = Objects.requireNonNull(period, "period");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
  }

  @Override
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    String name = "outbox-inbox-expire-" + inbox.table().table();
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(this::expire, 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void expire() {
    try {
      int removed = inbox.expire();
      runs.incrementAndGet();
      log.debug("inbox table {}: {} expired id(s) removed", inbox.table(), removed);
    } catch (RuntimeException e) {
      log.warn(
          "inbox table {}: removing expired ids failed, next try in {}: {}",
          inbox.table(),
          period,
          e.getMessage(),
          e);
    }
  }

  /** Stops scheduling, waiting briefly for a run in progress. */
  @Override
  public synchronized void stop() {
    if (executor == null) {
      return;
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executor = null;
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }

  @Override
  public int getPhase() {
    return OutboxRelayLifecycle.PHASE;
  }

  /** How many runs have succeeded since the context started. */
  public long runs() {
    return runs.get();
  }

  /** The time between two runs. */
  public Duration period() {
    return period;
  }
}
