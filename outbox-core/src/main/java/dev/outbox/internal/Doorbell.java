package dev.outbox.internal;

import java.time.Duration;

/**
 * Wakes a waiting relay loop early. A ring that arrives while nobody waits is kept, so a wake-up
 * that races with the end of a cycle is never lost.
 */
public final class Doorbell {
  private final Object lock = new Object();
  private boolean rung;

  /** Wakes the waiter, or the next one if nobody waits now. */
  public void ring() {
    synchronized (lock) {
      rung = true;
      lock.notifyAll();
    }
  }

  /** Waits until rung or until {@code timeout} passes, and clears the ring. */
  public void await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!rung) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        lock.wait(Math.max(1, left / 1_000_000), 0);
      }
      rung = false;
    }
  }
}
