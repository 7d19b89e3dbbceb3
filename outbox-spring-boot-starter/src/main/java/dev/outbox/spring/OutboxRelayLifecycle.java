package dev.outbox.spring;

import dev.outbox.OutboxRelay;
import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * Runs an {@link OutboxRelay} with the application context: started when the context starts, and
 * stopped when it closes, after the web server has finished its graceful shutdown (phase {@link
 * #PHASE}), letting the batches in flight finish within the relay's shutdown timeout. A stopped
 * relay cannot start again, so a context that is stopped and started again keeps it stopped.
 */
public final class OutboxRelayLifecycle implements SmartLifecycle {

  /**
   * Below the web server's phases: relays start before it takes requests and stop after it has
   * drained them, while the DataSource is still open.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final OutboxRelay relay;
  private final LocalRelays localRelays;
  private volatile boolean running;

  /**
   * @param relay the relay to run; this lifecycle closes it
   * @param localRelays where the started relay is registered for after-commit wake-ups
   */
  public OutboxRelayLifecycle(OutboxRelay relay, LocalRelays localRelays) {
    this.relay = Objects.requireNonNull(relay, "relay");
    this.localRelays = Objects.requireNonNull(localRelays, "localRelays");
  }

  /** The relay. */
  public OutboxRelay relay() {
    return relay;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    relay.start();
    localRelays.add(relay);
    running = true;
  }

  /** Stops claiming and waits, within the relay's shutdown timeout, for the batches in flight. */
  @Override
  public synchronized void stop() {
    localRelays.remove(relay);
    relay.close();
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
