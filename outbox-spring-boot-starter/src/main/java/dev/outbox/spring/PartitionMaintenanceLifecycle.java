package dev.outbox.spring;

import dev.outbox.PartitionMaintenance;
import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * Runs a {@link PartitionMaintenance} job with the application context: it runs at start and then
 * every run period, and stops (waiting for a run in progress) when the context closes.
 */
public final class PartitionMaintenanceLifecycle implements SmartLifecycle {
  private final PartitionMaintenance maintenance;
  private volatile boolean running;

  /**
   * @param maintenance the job; this lifecycle closes it
   */
  public PartitionMaintenanceLifecycle(PartitionMaintenance maintenance) {
    this.maintenance = Objects.requireNonNull(maintenance, "maintenance");
  }

  /** The job. */
  public PartitionMaintenance maintenance() {
    return maintenance;
  }

  @Override
  public synchronized void start() {
    if (!running) {
      maintenance.start();
      running = true;
    }
  }

  @Override
  public synchronized void stop() {
    maintenance.close();
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return OutboxRelayLifecycle.PHASE;
  }
}
