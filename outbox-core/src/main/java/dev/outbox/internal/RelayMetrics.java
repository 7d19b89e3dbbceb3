package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's counters and histograms. Counters are only incremented for rows whose acknowledgement
 * was committed, so they count what happened, not what was attempted.
 */
public final class RelayMetrics {
  private static final Logger log = LoggerFactory.getLogger(RelayMetrics.class);

  /** Instrumentation scope name of everything the outbox records. */
  public static final String SCOPE = "dev.outbox";

  /** The topic a message is for, on every per-message instrument and span. */
  public static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");

  static final AttributeKey<String> RELAY = AttributeKey.stringKey("outbox.relay");

  private final String relayName;
  private final Attributes relayOnly;
  private final LongCounter added;
  private final LongCounter sent;
  private final LongCounter failed;
  private final LongCounter retried;
  private final LongCounter dead;
  private final LongCounter fenced;
  private final DoubleHistogram lag;
  private final DoubleHistogram sendDuration;
  private final Map<String, Attributes> byTopic = new ConcurrentHashMap<>();
  private final FailureWarnings warnings;

  /**
   * Creates the instruments on {@code openTelemetry}'s {@value #SCOPE} meter.
   *
   * @param warnAfterAttempts the attempt from which a failed delivery that is retried is logged at
   *     WARN (rate-limited, see {@link FailureWarnings})
   */
  public RelayMetrics(OpenTelemetry openTelemetry, String relayName, int warnAfterAttempts) {
    this.relayName = relayName;
    this.warnings = new FailureWarnings(relayName, warnAfterAttempts);
    this.relayOnly = Attributes.of(RELAY, relayName);
    Meter meter = openTelemetry.getMeter(SCOPE);
    added =
        counter(meter, "outbox.messages.added", "Committed messages, counted when first claimed");
    sent = counter(meter, "outbox.messages.sent", "Messages delivered and acknowledged");
    failed = counter(meter, "outbox.messages.failed", "Delivery attempts that failed");
    retried = counter(meter, "outbox.messages.retried", "Failed messages rescheduled with backoff");
    dead = counter(meter, "outbox.messages.dead", "Messages moved to the dead-letter table");
    fenced =
        counter(
            meter,
            "outbox.acks.fenced",
            "Acknowledgements refused because another relay had taken over the lease");
    lag =
        meter
            .histogramBuilder("outbox.delivery.lag")
            .setDescription("Time from enlist (database clock) to acknowledged delivery")
            .setUnit("s")
            .build();
    sendDuration =
        meter
            .histogramBuilder("outbox.send.duration")
            .setDescription("Time the sender took for one batch")
            .setUnit("s")
            .build();
  }

  private static LongCounter counter(Meter meter, String name, String description) {
    return meter.counterBuilder(name).setDescription(description).setUnit("{message}").build();
  }

  /** Counts the records of a committed claim that are on their first attempt. */
  public void claimed(List<OutboxRecord> records) {
    for (OutboxRecord r : records) {
      if (r.attempt() == 1) {
        added.add(1, topic(r.topic()));
      }
    }
  }

  /** Records a committed "sent" ack and its delivery lag. */
  public void sent(OutboxRecord r, Instant now) {
    Attributes attributes = topic(r.topic());
    sent.add(1, attributes);
    Duration d = Duration.between(r.createdAt(), now);
    lag.record(Math.max(0, d.toNanos() / 1e9), attributes);
  }

  /** Records a committed reschedule. */
  public void retried(OutboxRecord r) {
    Attributes attributes = topic(r.topic());
    failed.add(1, attributes);
    retried.add(1, attributes);
  }

  /** Records a committed dead-lettering (always the end of a failed attempt). */
  public void dead(OutboxRecord r) {
    Attributes attributes = topic(r.topic());
    failed.add(1, attributes);
    dead.add(1, attributes);
  }

  /**
   * Counts {@code records}, whose ack the lease fence refused, and warns: another relay claimed
   * them after the lease expired, so they may be delivered twice.
   *
   * @param late the ack time minus the batch's lease expiry
   */
  public void fenced(List<OutboxRecord> records, int batchSize, Duration late) {
    for (OutboxRecord r : records) {
      fenced.add(1, topic(r.topic()));
    }
    log.warn(
        "outbox relay '{}': {} of the {} messages of a batch were acknowledged {} after their lease"
            + " expired and another relay had claimed them again; their outcomes were dropped, and"
            + " they may be delivered twice. Give leaseDuration more room over sendTimeout",
        relayName,
        records.size(),
        batchSize,
        late);
  }

  /** The rate-limited WARN lines about failed deliveries. */
  FailureWarnings warnings() {
    return warnings;
  }

  /** Records how long a batch took to send. */
  public void sendDuration(Duration d) {
    sendDuration.record(d.toNanos() / 1e9, relayOnly);
  }

  private Attributes topic(String topic) {
    return byTopic.computeIfAbsent(topic, t -> Attributes.of(DESTINATION, t, RELAY, relayName));
  }
}
