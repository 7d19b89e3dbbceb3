package dev.outbox.spring.micrometer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gauges' callbacks. A callback runs once when it is registered (so that its gauges, one per
 * attribute set it records, exist), then again whenever the registry reads one of the gauges and
 * the last run is more than {@link #REFRESH_NANOS} old: one query serves all gauges of a scrape.
 */
final class Observations {
  private static final Logger log = LoggerFactory.getLogger(Observations.class);

  /** One second: the longest a gauge's value is reused. */
  static final long REFRESH_NANOS = 1_000_000_000L;

  private final List<Callback> callbacks = new CopyOnWriteArrayList<>();
  private long lastRun = System.nanoTime();

  /** Registers {@code callback}, which records {@code gauges}, and runs it once. */
  Callback register(Runnable callback, List<Gauges.ObservedGauge> gauges) {
    Callback c = new Callback(callback, gauges);
    callbacks.add(c);
    synchronized (this) {
      c.run();
    }
    return c;
  }

  /** Runs every callback, unless they ran less than a second ago. */
  synchronized void refresh() {
    long now = System.nanoTime();
    if (now - lastRun < REFRESH_NANOS) {
      return;
    }
    lastRun = now;
    callbacks.forEach(Callback::run);
  }

  /** A registered callback; closing it removes its gauges from the registry. */
  final class Callback implements AutoCloseable {
    private final Runnable callback;
    private final List<Gauges.ObservedGauge> gauges;

    private Callback(Runnable callback, List<Gauges.ObservedGauge> gauges) {
      this.callback = callback;
      this.gauges = List.copyOf(gauges);
    }

    private void run() {
      try {
        callback.run();
      } catch (RuntimeException e) {
        log.debug("an outbox gauge callback failed: {}", e.toString());
      }
    }

    @Override
    public void close() {
      callbacks.remove(this);
      gauges.forEach(Gauges.ObservedGauge::remove);
    }
  }
}
