package dev.outbox.testkit;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A sender that records every record it is handed and answers with an outcome chosen per record
 * (default: sent). Thread-safe.
 */
public class RecordingSender implements Sender {
  private final List<OutboxRecord> received = new ArrayList<>();
  private volatile Function<OutboxRecord, Outcome> decide = Outcome::sent;

  /** Answers every later record with {@code decide}. */
  public RecordingSender answering(Function<OutboxRecord, Outcome> decide) {
    this.decide = decide;
    return this;
  }

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    for (OutboxRecord r : batch) {
      synchronized (received) {
        received.add(r);
        received.notifyAll();
      }
      outcomes.add(decide.apply(r));
    }
    return CompletableFuture.completedFuture(outcomes);
  }

  /** Everything received so far, in order. */
  public List<OutboxRecord> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** Waits until at least {@code n} records were received; fails after {@code timeout}. */
  public List<OutboxRecord> awaitReceived(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (received.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "expected " + n + " records within " + timeout + ", got " + received.size());
        }
        received.wait(Math.max(1, left / 1_000_000));
      }
      return List.copyOf(received);
    }
  }
}
