package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A sender whose batches stay with it until the test releases them, oldest first, as sent: to hold
 * batches in flight. It notes any call that hands it a key it already holds.
 */
public final class GatedSender implements Sender {
  /** The payloads of every call, in call order. */
  public final List<List<String>> calls = new CopyOnWriteArrayList<>();

  /** Keys handed over while a batch holding the same key was still with the sender. */
  public final List<String> keysHandedTwice = new CopyOnWriteArrayList<>();

  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private int mostHeld;

  private record Held(List<OutboxRecord> batch, CompletableFuture<List<Outcome>> future) {}

  @Override
  public synchronized CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    calls.add(batch.stream().map(OutboxRecord::payloadAsString).toList());
    Set<String> holding = new HashSet<>();
    held.forEach(h -> h.batch().forEach(r -> holding.add(r.key())));
    batch.stream().map(OutboxRecord::key).filter(holding::contains).forEach(keysHandedTwice::add);
    CompletableFuture<List<Outcome>> future = new CompletableFuture<>();
    held.add(new Held(batch, future));
    mostHeld = Math.max(mostHeld, held.size());
    return future;
  }

  /** How many batches the sender holds now. */
  public synchronized int holding() {
    return held.size();
  }

  /** The most batches it ever held at once. */
  public synchronized int mostHeld() {
    return mostHeld;
  }

  /** Completes the oldest batch it holds as sent; false if it holds none. */
  public boolean releaseOne() {
    Held h;
    synchronized (this) {
      h = held.poll();
    }
    if (h == null) {
      return false;
    }
    h.future().complete(Outcome.allSent(h.batch()));
    return true;
  }

  /** Every payload handed over, in call order. */
  public List<String> handed() {
    List<String> all = new ArrayList<>();
    calls.forEach(all::addAll);
    return all;
  }
}
