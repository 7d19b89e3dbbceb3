package dev.outbox.examples.spring;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sender that logs each message it is handed and reports it sent: it stands in for a broker so
 * that the example runs with a database alone. Thread-safe.
 */
public final class LoggingSender implements Sender {
  private static final Logger log = LoggerFactory.getLogger(LoggingSender.class);
  private final AtomicLong delivered = new AtomicLong();

  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    for (OutboxRecord r : batch) {
      log.info(
          "delivered {} {} key={}: {}",
          r.topic(),
          r.messageId(),
          r.key(),
          new String(r.payload(), StandardCharsets.UTF_8));
    }
    delivered.addAndGet(batch.size());
    return CompletableFuture.completedFuture(batch.stream().map(Outcome::sent).toList());
  }

  /** How many messages were delivered. */
  public long delivered() {
    return delivered.get();
  }
}
