package dev.outbox.testkit;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a sender that talks to its broker through a {@link TcpProxy}: the batch that takes the
 * count of records handed over past a threshold first cuts every broker connection, and the broker
 * stays unreachable for the outage; then it is back. The batch that cut and those during the outage
 * meet a dead connection, as they would if the broker restarted.
 */
public final class CutHalfway implements Sender {
  private final Sender delegate;
  private final TcpProxy proxy;
  private final int after;
  private final Duration outage;
  private final AtomicInteger handed = new AtomicInteger();
  private final AtomicBoolean cut = new AtomicBoolean();

  /** Cuts once more than {@code after} records were handed to {@code delegate}. */
  public CutHalfway(Sender delegate, TcpProxy proxy, int after, Duration outage) {
    this.delegate = delegate;
    this.proxy = proxy;
    this.after = after;
    this.outage = outage;
  }

  /** As the wrapped sender: this one hands every batch on unchanged. */
  @Override
  public boolean acceptsRuns() {
    return delegate.acceptsRuns();
  }

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    boolean cutNow = handed.addAndGet(batch.size()) > after && cut.compareAndSet(false, true);
    // Handed over first, then cut: the batch is with the broker client when its connections drop,
    // so it meets the outage whether or not the client was between requests.
    CompletionStage<List<Outcome>> sending = delegate.send(batch);
    if (cutNow) {
      proxy.cut();
      CompletableFuture.delayedExecutor(outage.toMillis(), TimeUnit.MILLISECONDS)
          .execute(proxy::restore);
    }
    return sending;
  }

  /** Whether the cut happened. */
  public boolean didCut() {
    return cut.get();
  }
}
