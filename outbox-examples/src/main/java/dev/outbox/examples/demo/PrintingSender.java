package dev.outbox.examples.demo;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo's sender when no broker is chosen: prints each message. It fails a share of deliveries
 * on purpose, as a flaky broker would, so the relay's retries show.
 */
final class PrintingSender implements Sender {
  private final PrintStream out;
  private final int flakyPercent;

  PrintingSender(PrintStream out, int flakyPercent) {
    this.out = out;
    this.flakyPercent = flakyPercent;
  }

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    for (OutboxRecord r : batch) {
      outcomes.add(deliver(r));
    }
    return CompletableFuture.completedFuture(outcomes);
  }

  private Outcome deliver(OutboxRecord r) {
    String line =
        String.format(
            "[sender] %s key=%s attempt=%d %s %s",
            r.topic(), r.key(), r.attempt(), r.headers().get("type"), r.payloadAsString());
    if (ThreadLocalRandom.current().nextInt(100) < flakyPercent) {
      out.println(line + "  -> failed (simulated), the relay retries it");
      return Outcome.retry(r, new IllegalStateException("simulated nack of this message"));
    }
    out.println(line);
    return Outcome.sent(r);
  }
}
