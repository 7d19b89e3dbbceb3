package dev.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OutboxRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureWarningsTest {
  private static final UUID MESSAGE_ID = UUID.fromString("0b7e6c1e-4f7a-4a57-9d43-2d1f0c1e9a01");
  private static final Instant NOW = Instant.parse("2026-11-26T04:30:00Z");

  private final AtomicLong ticker = new AtomicLong();
  private final List<String> lines = new ArrayList<>();
  private final FailureWarnings warnings =
      new FailureWarnings("orders", 3, ticker::get, lines::add);

  @Test
  void aRetryIsWarnedAboutFromTheThresholdOnWithEverythingNeededToFindIt() {
    warnings.retried(record(42, "k1", 1), NOW.plusSeconds(1), NOW, "boom");
    warnings.retried(record(42, "k1", 2), NOW.plusSeconds(2), NOW, "boom");
    assertThat(lines).isEmpty();

    warnings.retried(record(42, "k1", 3), NOW.plusMillis(4250), NOW, "java.io.IOException: nack");

    assertThat(lines)
        .containsExactly(
            "outbox relay 'orders': delivery of message 0b7e6c1e-4f7a-4a57-9d43-2d1f0c1e9a01"
                + " (row id 42, topic 'payments', key 'k1') failed on attempt 3; retrying at"
                + " 2026-11-26T04:30:04.250Z (in PT4.25S): java.io.IOException: nack");
  }

  @Test
  void repeatedFailuresAreRateLimitedAndTheNextLineCountsThoseLeftOut() {
    for (int i = 0; i < 1235; i++) {
      warnings.retried(record(i, null, 5), NOW.plusSeconds(60), NOW, "down");
    }
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("(row id 0, topic 'payments', no key)");

    ticker.addAndGet(FailureWarnings.INTERVAL.toNanos());
    warnings.retried(record(9999, null, 5), NOW.plusSeconds(60), NOW, "down");

    assertThat(lines).hasSize(2);
    assertThat(lines.get(1))
        .startsWith("outbox relay 'orders': delivery of message")
        .contains("(row id 9999,")
        .endsWith(
            ": down (and 1,234 more failed attempts (from attempt 3 on) since the last warning)");
  }

  @Test
  void deadLettersAreAlwaysWarnedAboutAndLimitedApartFromRetries() {
    warnings.retried(record(1, "k", 7), NOW.plusSeconds(60), NOW, "down");
    warnings.dead(record(2, "k", 1), "unroutable: no queue");
    warnings.dead(record(3, "k", 1), "unroutable: no queue");
    ticker.addAndGet(Duration.ofSeconds(11).toNanos());
    warnings.dead(record(4, "k", 10), "gave up after 10 attempts; last error: down");

    assertThat(lines).hasSize(3);
    assertThat(lines.get(1))
        .isEqualTo(
            "outbox relay 'orders': message 0b7e6c1e-4f7a-4a57-9d43-2d1f0c1e9a01 (row id 2, topic"
                + " 'payments', key 'k') was moved to the dead letters after attempt 1:"
                + " unroutable: no queue");
    assertThat(lines.get(2))
        .contains("(row id 4,")
        .endsWith(
            "gave up after 10 attempts; last error: down (and 1 more messages moved to the dead"
                + " letters since the last warning)");
  }

  @Test
  void aBrokerOutageIsWarnedAboutOnceAtItsStartThenAtMostOncePerInterval() {
    warnings.brokerAway(100, "java.net.ConnectException: Connection refused");
    warnings.brokerAway(1, "java.net.ConnectException: Connection refused");
    warnings.brokerAway(1, "java.net.ConnectException: Connection refused");
    assertThat(lines)
        .containsExactly(
            "outbox relay 'orders': a batch of 100 messages failed as a whole because the broker"
                + " is away; no attempt is counted and the relay pauses before probing again:"
                + " java.net.ConnectException: Connection refused");

    ticker.addAndGet(FailureWarnings.INTERVAL.toNanos());
    warnings.brokerAway(1, "still refused");
    assertThat(lines.get(1))
        .endsWith("still refused (and 2 more batches failed that way since the last warning)");

    warnings.delivered(); // the outage is over; the next one is warned about at once
    warnings.brokerAway(1, "refused again");
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).contains("a batch of 1 message failed").endsWith("refused again");
  }

  @Test
  void aLongErrorIsCutInTheLine() {
    warnings.dead(record(1, "k", 1), "x".repeat(5000));
    assertThat(lines.get(0))
        .endsWith("x...")
        .hasSizeLessThan(FailureWarnings.MAX_CAUSE_LENGTH + 200);
  }

  private static OutboxRecord record(long id, String key, int attempt) {
    return new OutboxRecord(
        id, MESSAGE_ID, "payments", key, new byte[0], Map.of(), NOW.minusSeconds(5), attempt);
  }
}
