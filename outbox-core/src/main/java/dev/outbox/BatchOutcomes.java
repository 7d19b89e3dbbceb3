package dev.outbox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Collects the outcomes of one batch as a broker client reports them, record by record and from any
 * thread, and completes {@link #future()} with one {@link Outcome} per record once every record has
 * one. The first outcome reported for a record wins; later ones are ignored, so a late broker
 * callback cannot overwrite a retry decided on shutdown. Thread-safe.
 *
 * <pre>{@code
 * BatchOutcomes outcomes = new BatchOutcomes(batch);
 * for (int i = 0; i < batch.size(); i++) {
 *   int index = i;
 *   client.publish(batch.get(i), (ok, error) -> {
 *     if (error == null) outcomes.sent(index); else outcomes.retry(index, error);
 *   });
 * }
 * return outcomes.future();
 * }</pre>
 */
public final class BatchOutcomes {
  private final List<OutboxRecord> batch;
  private final AtomicReferenceArray<Outcome> outcomes;
  private final AtomicInteger missing;
  private final CompletableFuture<List<Outcome>> future = new CompletableFuture<>();

  /** Starts collecting for {@code batch}; an empty batch is complete at once. */
  public BatchOutcomes(List<OutboxRecord> batch) {
    this.batch = List.copyOf(Objects.requireNonNull(batch, "batch"));
    this.outcomes = new AtomicReferenceArray<>(this.batch.size());
    this.missing = new AtomicInteger(this.batch.size());
    if (this.batch.isEmpty()) {
      future.complete(List.of());
    }
  }

  /** The record at {@code index} of the batch. */
  public OutboxRecord record(int index) {
    return batch.get(index);
  }

  /** How many records the batch holds. */
  public int size() {
    return batch.size();
  }

  /** Reports the record at {@code index} as delivered; ignored if it already has an outcome. */
  public void sent(int index) {
    report(index, Outcome.sent(batch.get(index)));
  }

  /** Reports a transient failure of the record at {@code index}; ignored if already reported. */
  public void retry(int index, Throwable cause) {
    report(index, Outcome.retry(batch.get(index), cause));
  }

  /**
   * Reports that the broker could not be reached for the record at {@code index} (see {@link
   * Outcome#unavailable}); ignored if already reported.
   */
  public void unavailable(int index, Throwable cause) {
    report(index, Outcome.unavailable(batch.get(index), cause));
  }

  /** Reports a permanent failure of the record at {@code index}; ignored if already reported. */
  public void dead(int index, String reason) {
    report(index, Outcome.dead(batch.get(index), reason));
  }

  /**
   * Reports {@code outcome} for the record at {@code index}.
   *
   * @return true if this was the record's first outcome, false if it already had one
   * @throws IllegalArgumentException if the outcome is for another record
   */
  public boolean report(int index, Outcome outcome) {
    if (outcome.recordId() != batch.get(index).id()) {
      throw new IllegalArgumentException(
          "outcome for record " + outcome.recordId() + " reported at index " + index);
    }
    if (!outcomes.compareAndSet(index, null, outcome)) {
      return false;
    }
    if (missing.decrementAndGet() == 0) {
      future.complete(collect());
    }
    return true;
  }

  /** Reports a retry with {@code cause} for every record that has no outcome yet. */
  public void retryAllMissing(Throwable cause) {
    for (int i = 0; i < batch.size(); i++) {
      if (outcomes.get(i) == null) {
        retry(i, cause);
      }
    }
  }

  /** Whether every record has an outcome. */
  public boolean isComplete() {
    return missing.get() == 0;
  }

  /** Completes, with the outcomes in batch order, once every record has one; never fails. */
  public CompletableFuture<List<Outcome>> future() {
    return future;
  }

  private List<Outcome> collect() {
    List<Outcome> result = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      result.add(outcomes.get(i));
    }
    return result;
  }

  @Override
  public String toString() {
    Outcome[] snapshot = new Outcome[batch.size()];
    for (int i = 0; i < snapshot.length; i++) {
      snapshot[i] = outcomes.get(i);
    }
    return "BatchOutcomes" + Arrays.toString(snapshot);
  }
}
