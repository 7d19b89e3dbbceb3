package dev.outbox.internal;

import dev.outbox.Backoff;
import dev.outbox.Ordering;
import dev.outbox.OutboxTables;
import dev.outbox.RelayErrorListener;
import dev.outbox.RelayException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A relay's validated, immutable configuration; see {@code OutboxRelay.Builder} for each one. */
public record RelaySettings(
    String name,
    OutboxTables tables,
    int batchSize,
    int maxBatchesInFlight,
    Duration pollInterval,
    Duration linger,
    Duration leaseDuration,
    Duration sendTimeout,
    int maxAttempts,
    Backoff backoff,
    Ordering ordering,
    Duration shutdownTimeout,
    Duration brokerPause,
    Duration maxBrokerPause,
    Clock clock,
    RelayErrorListener errorListener,
    int warnAfterAttempts) {

  private static final Logger errorLog = LoggerFactory.getLogger(RelayErrorListener.class);

  /** The settings as the relay logs them when it starts. */
  public String describe() {
    String table =
        tables.schema() == null ? tables.table() : tables.schema() + "." + tables.table();
    return "table="
        + table
        + ", batchSize="
        + batchSize
        + ", maxBatchesInFlight="
        + maxBatchesInFlight
        + ", pollInterval="
        + pollInterval
        + ", linger="
        + linger
        + ", leaseDuration="
        + leaseDuration
        + ", sendTimeout="
        + sendTimeout
        + ", maxAttempts="
        + maxAttempts
        + ", ordering="
        + ordering
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", brokerPause="
        + brokerPause
        + ".."
        + maxBrokerPause
        + ", warnAfterAttempts="
        + warnAfterAttempts;
  }

  /**
   * The default {@link RelayErrorListener}: a transient failure in one line at WARN, any other at
   * ERROR with its stack trace.
   */
  public static void logError(String relayName, RelayException e) {
    if (e.isTransient()) {
      errorLog.warn("{}", e.getMessage());
    } else {
      errorLog.error(
          "{} (not transient: check the database and the outbox tables)", e.getMessage(), e);
    }
  }
}
