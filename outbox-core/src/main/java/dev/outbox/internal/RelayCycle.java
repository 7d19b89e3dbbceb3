package dev.outbox.internal;

import dev.outbox.Ordering;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.RelayException;
import dev.outbox.Sender;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * One claim-send-ack cycle. Claim and ack are short transactions of their own; no transaction or
 * connection is held while the sender runs, so a slow broker never holds row locks.
 */
public final class RelayCycle {
  private final DataSource dataSource;
  private final OutboxDialect dialect;
  private final RelaySettings settings;
  private final RelayMetrics metrics;
  private final BatchSender batchSender;

  /** Where the next per-key claim starts, so that every key gets its turn. */
  private volatile String keyCursor;

  /** Flipped every claim: messages without a key and keyed runs take turns at the batch's head. */
  private volatile boolean unkeyedFirst;

  /**
   * @param report told about sender failures the cycle survives
   */
  public RelayCycle(
      DataSource dataSource,
      OutboxDialect dialect,
      Sender sender,
      RelaySettings settings,
      RelayMetrics metrics,
      RelayTracing tracing,
      Consumer<RelayException> report) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.settings = settings;
    this.metrics = metrics;
    this.batchSender = new BatchSender(sender, settings, metrics, tracing, report);
  }

  /**
   * What one cycle did.
   *
   * @param claimed how many messages were claimed (0 when none was due)
   * @param claimAgain whether to claim again at once: the batch was full, or the claim stopped
   *     before looking at every candidate
   */
  public record Result(int claimed, boolean claimAgain) {}

  /**
   * Claims a batch, sends it and acknowledges the outcomes.
   *
   * @throws RelayException if the claim or the ack failed; claimed messages then stay leased until
   *     their lease expires and are retried
   * @throws InterruptedException if interrupted while waiting for the sender; the batch is left
   *     leased
   */
  public Result run() throws InterruptedException {
    UUID token = UUID.randomUUID();
    Instant now = settings.clock().instant().truncatedTo(ChronoUnit.MICROS);
    Instant leaseUntil = now.plus(settings.leaseDuration());
    ClaimResult claimed = claim(token, now, leaseUntil);
    List<OutboxRecord> batch = claimed.records();
    boolean again = claimed.more() || batch.size() >= settings.batchSize();
    if (batch.isEmpty()) {
      return new Result(0, again);
    }
    metrics.claimed(batch);
    List<Outcome> outcomes = batchSender.send(batch);
    AckPlan plan = AckPlan.of(batch, outcomes, settings, settings.clock().instant());
    AckResult result = ack(plan.toBatch(token));
    plan.record(result, leaseUntil, metrics);
    return new Result(batch.size(), again);
  }

  private ClaimResult claim(UUID token, Instant now, Instant leaseUntil) {
    boolean perKey = settings.ordering() == Ordering.PER_KEY;
    boolean unkeyed = unkeyedFirst;
    unkeyedFirst = !unkeyed;
    ClaimRequest request =
        new ClaimRequest(
            settings.batchSize(),
            now,
            token,
            leaseUntil,
            perKey,
            perKey ? keyCursor : null,
            unkeyed);
    ClaimResult result =
        withConnection("claim messages", c -> dialect.claim(c, settings.tables(), request));
    keyCursor = result.keyCursor();
    return result;
  }

  private AckResult ack(AckBatch batch) {
    return withConnection("acknowledge a batch", c -> dialect.ack(c, settings.tables(), batch));
  }

  private <R> R withConnection(String what, Jdbc.SqlWork<R> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      return work.run(c);
    } catch (SQLException e) {
      throw new RelayException(
          "relay '" + settings.name() + "' could not " + what + ": " + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
  }
}
