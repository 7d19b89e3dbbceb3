package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A sender that answers each record with a script, from another thread and in reverse order (as a
 * sender that answers record by record may), and records every call's payloads.
 */
public final class ScriptedSender implements Sender {
  /** The payloads of every call, in call order. */
  public final List<List<String>> calls = new CopyOnWriteArrayList<>();

  private volatile Function<OutboxRecord, Outcome> answer;
  private final boolean runs;

  /** A sender answering with {@code answer}; {@code runs}: whether it accepts runs. */
  public ScriptedSender(Function<OutboxRecord, Outcome> answer, boolean runs) {
    this.answer = answer;
    this.runs = runs;
  }

  /** A sender that sends everything and does not accept runs. */
  public static ScriptedSender sendingAll() {
    return new ScriptedSender(Outcome::sent, false);
  }

  /** Answers from now on with {@code next}. */
  public void answer(Function<OutboxRecord, Outcome> next) {
    this.answer = next;
  }

  /** Every payload handed over, in order, over all calls. */
  public List<String> handed() {
    List<String> all = new ArrayList<>();
    calls.forEach(all::addAll);
    return all;
  }

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    calls.add(batch.stream().map(OutboxRecord::payloadAsString).toList());
    Function<OutboxRecord, Outcome> script = answer;
    List<Outcome> outcomes = new ArrayList<>(batch.stream().map(script).toList());
    Collections.reverse(outcomes);
    return CompletableFuture.supplyAsync(() -> outcomes);
  }

  @Override
  public boolean acceptsRuns() {
    return runs;
  }
}
