package dev.outbox.examples.demo;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Wraps the real sender and records each outcome it reports in {@link DemoStats}: a sender is a
 * plain interface, so cross-cutting concerns compose by delegation.
 */
final class CountingSender implements Sender {
  private final Sender delegate;
  private final DemoStats stats;
  private final Clock clock;

  CountingSender(Sender delegate, DemoStats stats, Clock clock) {
    this.delegate = delegate;
    this.stats = stats;
    this.clock = clock;
  }

  /** As the wrapped sender: this one hands every batch on unchanged. */
  @Override
  public boolean acceptsRuns() {
    return delegate.acceptsRuns();
  }

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    return delegate
        .send(batch)
        .thenApply(
            outcomes -> {
              record(batch, outcomes);
              return outcomes;
            });
  }

  private void record(List<OutboxRecord> batch, List<Outcome> outcomes) {
    Instant now = clock.instant();
    Map<Long, OutboxRecord> byId = new HashMap<>();
    batch.forEach(r -> byId.put(r.id(), r));
    for (Outcome o : outcomes) {
      OutboxRecord r = byId.get(o.recordId());
      if (r != null) {
        stats.outcome(r, o, now);
      }
    }
  }
}
