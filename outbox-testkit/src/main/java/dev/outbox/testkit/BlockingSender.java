package dev.outbox.testkit;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A sender whose batches stay in flight until the test {@linkplain #release() releases} them, then
 * complete with an outcome per record (default: sent). It {@linkplain #acceptsRuns() accepts runs},
 * so a test sees each claim whole in one batch: it delivers nothing anywhere, so it keeps that
 * promise.
 */
public final class BlockingSender implements Sender {
  private final CountDownLatch received = new CountDownLatch(1);
  private final CompletableFuture<Void> release = new CompletableFuture<>();
  private final BlockingQueue<List<OutboxRecord>> batches = new LinkedBlockingQueue<>();
  private volatile List<OutboxRecord> lastBatch = List.of();
  private volatile Function<OutboxRecord, Outcome> decide = Outcome::sent;

  /** Answers with {@code decide} once released. */
  public BlockingSender answering(Function<OutboxRecord, Outcome> decide) {
    this.decide = decide;
    return this;
  }

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    lastBatch = batch;
    batches.add(batch);
    received.countDown();
    return release.thenApply(ignored -> batch.stream().map(r -> decide.apply(r)).toList());
  }

  @Override
  public boolean acceptsRuns() {
    return true;
  }

  /** Waits until a batch arrived; fails after {@code timeout}. */
  public List<OutboxRecord> awaitBatch(Duration timeout) throws InterruptedException {
    if (!received.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("no batch reached the sender within " + timeout);
    }
    return lastBatch;
  }

  /**
   * The next batch handed to the sender that this method has not returned yet, waiting up to {@code
   * timeout}; null if none came.
   */
  public List<OutboxRecord> nextBatch(Duration timeout) throws InterruptedException {
    return batches.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Lets every batch, past and future, complete. */
  public void release() {
    release.complete(null);
  }
}
