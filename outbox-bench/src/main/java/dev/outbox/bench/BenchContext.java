package dev.outbox.bench;

import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Sender;
import dev.outbox.bench.Results.Better;
import dev.outbox.bench.Results.Key;
import dev.outbox.bench.Results.Side;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.OpenTelemetry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * What every scenario works with: the options, the database, where results go and where progress is
 * printed.
 *
 * @param options the benchmark's settings
 * @param db the database under test
 * @param results where each round's values are recorded
 * @param out where progress lines go
 */
record BenchContext(BenchOptions options, BenchDatabase db, Results results, PrintStream out) {

  /** Topic of every benchmark message. */
  static final String TOPIC = "bench";

  /** How long closing a benchmark relay may wait for its in-flight batch. */
  static final Duration RELAY_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /** Keys of produced messages cycle through this many values. */
  static final int PRODUCE_KEYS = 10_000;

  /** Records {@code value} and prints it as a progress line. */
  void record(Key key, Side side, int round, double value) {
    results.add(key, side, value);
    out.printf(
        Locale.ROOT,
        "  %-8s %-40s round %d/%d %-8s %s %s%n",
        key.scenario(),
        key.variant(),
        round,
        options.rounds(),
        side.label(),
        Report.number(value, key.unit()),
        key.unit() + " " + key.metric());
    out.flush();
  }

  /** A key of this scenario. */
  static Key key(String scenario, String variant, String metric, String unit, Better better) {
    return new Key(scenario, variant, metric, unit, better);
  }

  /** A payload of the configured size that starts with {@code i}, so payloads differ. */
  byte[] payload(long i) {
    byte[] payload = new byte[options.payloadBytes()];
    Arrays.fill(payload, (byte) 'x');
    byte[] digits = (i + ":").getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, payload, 0, Math.min(digits.length, payload.length));
    return payload;
  }

  /** The key of produced message {@code i}. */
  static String produceKey(long i) {
    return "key-" + (i % PRODUCE_KEYS);
  }

  /** The outbox on the benchmark's outbox table, with or without notifications, telemetry off. */
  JdbcOutbox outbox(boolean notify) {
    return outbox(db.dialect(notify));
  }

  /** The outbox on the benchmark's outbox table through {@code dialect}, telemetry off. */
  JdbcOutbox outbox(OutboxDialect dialect) {
    OutboxTables t = db.outboxTables();
    return JdbcOutbox.builder(dialect).tables(t).openTelemetry(OpenTelemetry.noop()).build();
  }

  /**
   * A relay builder on the benchmark's outbox table, with or without notifications, telemetry off
   * and a bounded shutdown; the scenario adds its name and settings.
   */
  OutboxRelay.Builder relay(DataSource pool, boolean notify, Sender sender) {
    OutboxTables t = db.outboxTables();
    return OutboxRelay.builder(pool, db.dialect(notify), sender)
        .tables(t)
        .openTelemetry(OpenTelemetry.noop())
        .maxBatchesInFlight(options.batchesInFlight())
        .linger(options.linger())
        .shutdownTimeout(RELAY_SHUTDOWN_TIMEOUT);
  }

  /** Generous time for a run of {@code messages} before it is declared stuck. */
  static Duration deadlineFor(long messages) {
    return Duration.ofSeconds(120 + messages / 100);
  }
}
