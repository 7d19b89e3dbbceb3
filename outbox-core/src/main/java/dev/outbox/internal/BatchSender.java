package dev.outbox.internal;

import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.RelayException;
import dev.outbox.Sender;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>Under {@link Ordering#PER_KEY}, unless the sender {@linkplain Sender#acceptsRuns accepts
 * runs}, a batch goes to the sender in waves (see {@link Waves}): a key's next record is handed
 * over only once the previous one was reported sent or dead, and never after one that is to be
 * retried. A sender that answers record by record can then never put a key's later record on the
 * broker ahead of an earlier one that failed, and a record that is held back was never sent, so it
 * is not sent twice.
 */
final class BatchSender {
  /** The cause recorded for a record the sender gave no outcome for. */
  private static final IllegalStateException NO_OUTCOME =
      new IllegalStateException("the sender reported no outcome for this message");

  /** The cause recorded for a record held back before it was handed to the sender. */
  private static final IllegalStateException NOT_HANDED =
      new IllegalStateException(
          "held back: an earlier message of the same key in this batch was not sent");

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
   * @param notHanded the ids of the records that were never handed to the sender: they waited for
   *     an earlier record of their key that is to be retried, or the send ran out of time first
   */
  record Sent(List<Outcome> outcomes, boolean brokerAway, Set<Long> notHanded) {
    Sent(List<Outcome> outcomes, boolean brokerAway) {
      this(outcomes, brokerAway, Set.of());
    }
  }

  /**
   * Hands {@code batch} to the sender and returns at once with the send under way (or already
   * failed); {@link InFlight#await()} collects the outcomes. The send timeout runs from this call.
   */
  InFlight start(List<OutboxRecord> batch) {
    Span batchSpan = tracing.startBatch(batch.size());
    List<Span> spans = tracing.startSends(batch, batchSpan);
    long start = System.nanoTime();
    boolean oneAtATime = settings.ordering() == Ordering.PER_KEY && !sender.acceptsRuns();
    Waves waves = oneAtATime ? Waves.of(batch) : Waves.single(batch);
    InFlight flight = new InFlight(batch, waves, batchSpan, spans, start);
    flight.handOver(waves.first());
    if (!waves.atLast()) {
      flight.advanceWhileAnswered();
    }
    return flight;
  }

  /** A batch handed to the sender whose outcomes are not collected yet. */
  final class InFlight {
    private final List<OutboxRecord> batch;
    private final Waves waves;
    private final Span batchSpan;
    private final List<Span> spans;
    private final long start;

    /** The wave with the sender now, and how it was handed over. */
    private List<OutboxRecord> wave;

    private CompletableFuture<List<Outcome>> future;
    private RuntimeException thrown;

    /** The outcomes of the waves that finished, by record id. */
    private final Map<Long, Outcome> reported = new HashMap<>();

    /** The keys with a record to be retried: their later records are held back. */
    private final Set<String> stopped = new HashSet<>();

    /** Whether the wave with the sender is the batch's first. */
    private boolean first = true;

    /** The sender's answer for the whole batch, once every wave is through; else null. */
    private Sent answered;

    private Sent result;

    private InFlight(
        List<OutboxRecord> batch, Waves waves, Span batchSpan, List<Span> spans, long start) {
      this.batch = batch;
      this.waves = waves;
      this.batchSpan = batchSpan;
      this.spans = spans;
      this.start = start;
    }

    /** Hands {@code next} to the sender; a sender that throws fails that wave. */
    private void handOver(List<OutboxRecord> next) {
      wave = next;
      future = null;
      thrown = null;
      Scope scope = batchSpan.makeCurrent();
      try {
        CompletionStage<List<Outcome>> stage = sender.send(next);
        if (stage == null) {
          throw new IllegalStateException("Sender.send returned null instead of a CompletionStage");
        }
        future = stage.toCompletableFuture();
      } catch (RuntimeException e) {
        thrown = e;
      } finally {
        scope.close();
      }
    }

    /**
     * Whether the sender has finished (or failed) with the whole batch, so {@link #await} returns
     * at once. A batch in waves whose first wave is done may still have waves to hand over.
     */
    boolean isDone() {
      return result != null || answered != null || waveDone() && waves.atLast();
    }

    /** Hands over the next waves for as long as the sender has answered the previous ones. */
    private void advanceWhileAnswered() {
      try {
        advance(false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // not reached: advance(false) never waits
      }
    }

    private boolean waveDone() {
      return thrown != null || future.isDone();
    }

    /**
     * Waits for the sender until the send timeout (counted from {@link #start}), handing over the
     * batch's later waves as the earlier ones finish, and returns one outcome per record; later
     * calls return the same.
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
        Sent sent = answered != null ? answered : advance(true);
        outcomes = sent.outcomes();
        return sent;
      } finally {
        scope.close();
        metrics.sendDuration(Duration.ofNanos(System.nanoTime() - start));
        endSpans(spans, outcomes);
        batchSpan.end();
      }
    }

    /**
     * Collects each wave's outcomes and hands over the next wave's records whose keys may go on. A
     * first wave that fails as a whole fails the batch as a whole (nothing of it was sent); a later
     * one that fails, or the send timeout, ends the handing over: what was not handed over is held
     * back. With {@code block} false it goes only as far as the sender has already answered, and
     * returns null if a wave is still out: the thread that claimed the batch hands over the waves a
     * fast sender answers at once, and the thread that acknowledges waits for the rest.
     */
    private Sent advance(boolean block) throws InterruptedException {
      while (answered == null) {
        if (!block && !waveDone()) {
          return null;
        }
        Sent answer = awaitWave(first);
        List<Outcome> waveOutcomes = complete(wave, answer.outcomes());
        for (int i = 0; i < wave.size(); i++) {
          reported.put(wave.get(i).id(), waveOutcomes.get(i));
          if (waveOutcomes.get(i).status() == Outcome.Status.RETRY) {
            stopped.add(wave.get(i).key());
          }
        }
        boolean away =
            answer.brokerAway() || waveOutcomes.stream().allMatch(BatchSender::unavailable);
        if (first && away) {
          answered = new Sent(completeBatch(), true); // nothing of the batch reached the broker
          break;
        }
        first = false;
        List<OutboxRecord> next = away ? List.of() : waves.next(stopped);
        if (next.isEmpty()) {
          answered = new Sent(completeBatch(), false, notHanded());
          break;
        }
        handOver(next);
      }
      return answered;
    }

    /** What the sender reported for the current wave, or every record retried if it failed. */
    private Sent awaitWave(boolean first) throws InterruptedException {
      if (thrown != null) {
        return failAll(wave, thrown, "the sender threw", first);
      }
      Duration timeout = settings.sendTimeout();
      long left = timeout.toNanos() - (System.nanoTime() - start);
      try {
        List<Outcome> outcomes = future.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        return new Sent(outcomes == null ? List.of() : outcomes, false);
      } catch (TimeoutException e) {
        future.cancel(true);
        return failAll(
            wave,
            new TimeoutException("the sender did not complete within sendTimeout " + timeout),
            "the send timed out",
            first);
      } catch (ExecutionException e) {
        return failAll(wave, e.getCause(), "the sender failed", first);
      } catch (CancellationException e) {
        return failAll(wave, e, "the sender cancelled the send", first);
      } catch (InterruptedException e) {
        future.cancel(true);
        throw e;
      }
    }

    /** One outcome per record of the batch; a record never handed over counts as held back. */
    private List<Outcome> completeBatch() {
      List<Outcome> outcomes = new ArrayList<>(batch.size());
      for (OutboxRecord r : batch) {
        Outcome o = reported.get(r.id());
        outcomes.add(o != null ? o : Outcome.retry(r, NOT_HANDED));
      }
      return outcomes;
    }

    private Set<Long> notHanded() {
      Set<Long> ids = new HashSet<>();
      for (OutboxRecord r : batch) {
        if (!reported.containsKey(r.id())) {
          ids.add(r.id());
        }
      }
      return ids;
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

  /**
   * Every record of {@code records} retried with {@code cause}, reported: without counting the
   * attempt when they are a batch's {@code first} wave (nothing of the batch was sent), after the
   * backoff when they are a later wave (the batch's earlier records were).
   */
  private Sent failAll(List<OutboxRecord> records, Throwable cause, String what, boolean first) {
    report.accept(
        new RelayException(
            "relay '"
                + settings.name()
                + "': "
                + what
                + " for "
                + (first ? "a batch of " : "a later wave of a batch, ")
                + records.size()
                + (first
                    ? "; the messages will be retried without counting the attempt: "
                    : " message(s); they will be retried after the backoff: ")
                + cause,
            cause,
            true));
    List<Outcome> outcomes = new ArrayList<>(records.size());
    for (OutboxRecord r : records) {
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
