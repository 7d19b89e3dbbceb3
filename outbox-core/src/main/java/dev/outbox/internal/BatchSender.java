package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.RelayException;
import dev.outbox.Sender;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Hands a batch to the {@link Sender} and turns whatever happens (outcomes, a missing outcome, an
 * exception, a timeout) into exactly one {@link Outcome} per record.
 */
final class BatchSender {
  /** The cause recorded for a record the sender gave no outcome for. */
  private static final IllegalStateException NO_OUTCOME =
      new IllegalStateException("the sender reported no outcome for this message");

  private final Sender sender;
  private final RelaySettings settings;
  private final RelayMetrics metrics;
  private final RelayTracing tracing;
  private final Consumer<RelayException> report;

  BatchSender(
      Sender sender,
      RelaySettings settings,
      RelayMetrics metrics,
      RelayTracing tracing,
      Consumer<RelayException> report) {
    this.sender = sender;
    this.settings = settings;
    this.metrics = metrics;
    this.tracing = tracing;
    this.report = report;
  }

  /**
   * What became of a batch.
   *
   * @param outcomes one per record, in the batch's order
   * @param brokerAway whether the batch failed as a whole for a reason that is not the messages':
   *     the sender threw, its stage failed or timed out, or it reported retry for every record with
   *     a connection-level cause (see {@link #connectionLevel})
   */
  record Sent(List<Outcome> outcomes, boolean brokerAway) {}

  /**
   * Hands {@code batch} to the sender and returns at once with the send under way (or already
   * failed); {@link InFlight#await()} collects the outcomes. The send timeout runs from this call.
   */
  InFlight start(List<OutboxRecord> batch) {
    Span batchSpan = tracing.startBatch(batch.size());
    List<Span> spans = tracing.startSends(batch, batchSpan);
    long start = System.nanoTime();
    Scope scope = batchSpan.makeCurrent();
    try {
      CompletionStage<List<Outcome>> stage = sender.send(batch);
      if (stage == null) {
        throw new IllegalStateException("Sender.send returned null instead of a CompletionStage");
      }
      return new InFlight(batch, batchSpan, spans, start, stage.toCompletableFuture(), null);
    } catch (RuntimeException e) {
      return new InFlight(batch, batchSpan, spans, start, null, e);
    } finally {
      scope.close();
    }
  }

  /** A batch handed to the sender whose outcomes are not collected yet. */
  final class InFlight {
    private final List<OutboxRecord> batch;
    private final Span batchSpan;
    private final List<Span> spans;
    private final long start;
    private final CompletableFuture<List<Outcome>> future;
    private final RuntimeException thrown;
    private Sent result;

    private InFlight(
        List<OutboxRecord> batch,
        Span batchSpan,
        List<Span> spans,
        long start,
        CompletableFuture<List<Outcome>> future,
        RuntimeException thrown) {
      this.batch = batch;
      this.batchSpan = batchSpan;
      this.spans = spans;
      this.start = start;
      this.future = future;
      this.thrown = thrown;
    }

    /** Whether the sender has finished (or failed), so {@link #await} returns at once. */
    boolean isDone() {
      return result != null || thrown != null || future.isDone();
    }

    /**
     * Waits for the sender until the send timeout (counted from {@link #start}) and returns one
     * outcome per record; later calls return the same.
     *
     * @throws InterruptedException if interrupted while waiting; the send is cancelled
     */
    Sent await() throws InterruptedException {
      if (result == null) {
        result = collect();
      }
      return result;
    }

    private Sent collect() throws InterruptedException {
      List<Outcome> outcomes = List.of();
      Scope scope = batchSpan.makeCurrent();
      try {
        Sent reported = awaitOutcomes();
        outcomes = complete(batch, reported.outcomes());
        boolean away =
            reported.brokerAway() || outcomes.stream().allMatch(BatchSender::unavailable);
        return new Sent(outcomes, away);
      } finally {
        scope.close();
        metrics.sendDuration(Duration.ofNanos(System.nanoTime() - start));
        endSpans(spans, outcomes);
        batchSpan.end();
      }
    }

    /** What the sender reported, or every record retried if it failed as a whole. */
    private Sent awaitOutcomes() throws InterruptedException {
      if (thrown != null) {
        return failAll(batch, thrown, "the sender threw");
      }
      Duration timeout = settings.sendTimeout();
      long left = timeout.toNanos() - (System.nanoTime() - start);
      try {
        List<Outcome> outcomes = future.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        return new Sent(outcomes == null ? List.of() : outcomes, false);
      } catch (TimeoutException e) {
        future.cancel(true);
        return failAll(
            batch,
            new TimeoutException("the sender did not complete within sendTimeout " + timeout),
            "the send timed out");
      } catch (ExecutionException e) {
        return failAll(batch, e.getCause(), "the sender failed");
      } catch (CancellationException e) {
        return failAll(batch, e, "the sender cancelled the send");
      } catch (InterruptedException e) {
        future.cancel(true);
        throw e;
      }
    }
  }

  private static boolean unavailable(Outcome o) {
    return o.status() == Outcome.Status.RETRY
        && (o.brokerUnavailable() || connectionLevel(o.cause()));
  }

  /**
   * Whether {@code cause} says the broker could not be reached rather than that the message was
   * refused: an {@link java.io.IOException} (a refused or dropped connection, an unknown host, a
   * socket timeout) or a {@link TimeoutException} anywhere in its causes.
   */
  static boolean connectionLevel(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.IOException || t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private Sent failAll(List<OutboxRecord> batch, Throwable cause, String what) {
    report.accept(
        new RelayException(
            "relay '"
                + settings.name()
                + "': "
                + what
                + " for a batch of "
                + batch.size()
                + "; the messages will be retried without counting the attempt: "
                + cause,
            cause,
            true));
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    for (OutboxRecord r : batch) {
      outcomes.add(Outcome.retry(r, cause));
    }
    return new Sent(outcomes, true);
  }

  /** One outcome per record; a record the sender said nothing about is retried. */
  private static List<Outcome> complete(List<OutboxRecord> batch, List<Outcome> reported) {
    Map<Long, Outcome> byId = new HashMap<>(reported.size() * 2);
    for (Outcome o : reported) {
      if (o != null) {
        byId.putIfAbsent(o.recordId(), o);
      }
    }
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    for (OutboxRecord r : batch) {
      Outcome o = byId.get(r.id());
      outcomes.add(o != null ? o : Outcome.retry(r, NO_OUTCOME));
    }
    return outcomes;
  }

  private static void endSpans(List<Span> spans, List<Outcome> outcomes) {
    for (int i = 0; i < spans.size(); i++) {
      if (i < outcomes.size()) {
        RelayTracing.end(spans.get(i), outcomes.get(i));
      } else {
        spans.get(i).end();
      }
    }
  }
}
