package dev.outbox.spring;

import dev.outbox.OutboxRelay;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relays running in this application over one outbox's tables, which a commit that enlisted
 * messages wakes at once instead of leaving them to their poll interval. Thread-safe.
 */
public final class LocalRelays {
  private final List<OutboxRelay> relays = new CopyOnWriteArrayList<>();
  private final AtomicLong wakeUps = new AtomicLong();

  /** Creates an empty set. */
  public LocalRelays() {}

  /** Adds a started relay. */
  void add(OutboxRelay relay) {
    relays.add(relay);
  }

  /** Removes a relay that is stopping. */
  void remove(OutboxRelay relay) {
    relays.remove(relay);
  }

  /** Wakes every running relay; never blocks. */
  public void wakeAll() {
    wakeUps.incrementAndGet();
    relays.forEach(OutboxRelay::wakeUp);
  }

  /** How often {@link #wakeAll()} was called: once per committed transaction that enlisted. */
  public long wakeUps() {
    return wakeUps.get();
  }

  /** How many relays are running. */
  public int size() {
    return relays.size();
  }
}
