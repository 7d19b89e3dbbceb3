package dev.outbox.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A group of named threads ({@code outbox-bench-<role>-<i>}) running one task each. The first
 * failure is kept and rethrown by {@link #join}, so a broken run fails loudly instead of reporting
 * a number; joining is bounded.
 */
final class Workers {

  /** The work of one thread; {@code worker} counts from 0. */
  @FunctionalInterface
  interface Task {
    void run(int worker) throws Exception;
  }

  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private Workers() {}

  /** Starts {@code count} threads running {@code task}. */
  static Workers start(String role, int count, Task task) {
    Workers w = new Workers();
    for (int i = 0; i < count; i++) {
      int worker = i;
      Thread t =
          new Thread(
              () -> {
                try {
                  task.run(worker);
                } catch (Throwable e) {
                  w.failure.compareAndSet(null, e);
                }
              },
              "outbox-bench-" + role + "-" + i);
      t.setDaemon(true);
      w.threads.add(t);
    }
    w.threads.forEach(Thread::start);
    return w;
  }

  /** One step of a paced thread. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  /**
   * Runs {@code step} on {@code count} threads, each once every {@code intervalNanos}, staggered so
   * their steps spread over each interval, until {@code durationNanos} have passed; waits for them
   * up to {@code timeout} (see {@link #join}).
   */
  static void paced(
      String role, int count, long intervalNanos, long durationNanos, Duration timeout, Step step)
      throws InterruptedException {
    long start = System.nanoTime();
    runAll(
        role,
        count,
        timeout,
        w -> {
          long next = start + intervalNanos * w / count;
          while (next - start < durationNanos) {
            LockSupport.parkNanos(next - System.nanoTime());
            step.run();
            next += intervalNanos;
          }
        });
  }

  /** Starts the threads and waits for them; see {@link #join}. */
  static void runAll(String role, int count, Duration timeout, Task task)
      throws InterruptedException {
    start(role, count, task).join(timeout);
  }

  /**
   * Waits up to {@code timeout} for every thread to end.
   *
   * @throws IllegalStateException if a thread failed (with its failure as the cause), or some did
   *     not end in time (they are interrupted)
   */
  void join(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    List<String> alive = threads.stream().filter(Thread::isAlive).map(Thread::getName).toList();
    if (!alive.isEmpty()) {
      threads.forEach(Thread::interrupt);
      throw new IllegalStateException(alive + " did not finish within " + timeout);
    }
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException("a benchmark thread failed: " + e, e);
    }
  }
}
