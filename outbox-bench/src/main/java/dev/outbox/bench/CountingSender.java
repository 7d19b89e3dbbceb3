package dev.outbox.bench;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The no-op sender: every record is sent at once. It counts what it was handed, so the harness can
 * tell when a backlog is through and check that nothing was handed over twice, and tells an
 * optional observer each message id (the latency scenario's clock). Thread-safe.
 */
final class CountingSender implements Sender {
  private final LongAdder received = new LongAdder();
  private final Consumer<UUID> observer;

  CountingSender() {
    this(id -> {});
  }

  CountingSender(Consumer<UUID> observer) {
    this.observer = observer;
  }

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    for (OutboxRecord r : batch) {
      observer.accept(r.messageId());
    }
    received.add(batch.size());
    return CompletableFuture.completedFuture(Outcome.allSent(batch));
  }

  /** Records handed over so far. */
  long received() {
    return received.sum();
  }
}
