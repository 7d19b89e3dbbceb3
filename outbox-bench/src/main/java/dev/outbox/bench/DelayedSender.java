package dev.outbox.bench;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A sender whose broker answers each batch after a fixed delay, as one in another zone would: every
 * record sent. {@link #send} returns at once, without blocking the calling thread; a scheduler
 * thread of its own completes the stage when the delay has passed. Thread-safe.
 */
final class DelayedSender implements Sender, AutoCloseable {
  private final long delayNanos;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "outbox-bench-delayed-sender");
            t.setDaemon(true);
            return t;
          });

  DelayedSender(Duration delay) {
    this.delayNanos = delay.toNanos();
  }

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    CompletableFuture<List<Outcome>> answer = new CompletableFuture<>();
    List<Outcome> sent = Outcome.allSent(batch);
    scheduler.schedule(() -> answer.complete(sent), delayNanos, TimeUnit.NANOSECONDS);
    return answer;
  }

  /** Stops the scheduler; answers not given yet are never given. */
  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
