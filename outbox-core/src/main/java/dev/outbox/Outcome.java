package dev.outbox;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Sender} reports for one record of a batch: {@linkplain #sent sent}, {@linkplain
 * #retry to be retried} later with backoff, or {@linkplain #dead dead} (a permanent failure that
 * moves the message to the dead-letter table at once). Immutable.
 */
public final class Outcome {

  /** The three kinds of outcome. */
  public enum Status {
    /** The broker accepted the message. */
    SENT,
    /** A transient failure: deliver again after the backoff, until {@code maxAttempts}. */
    RETRY,
    /** A permanent failure: retrying cannot help; dead-letter the message now. */
    DEAD
  }

  private final long recordId;
  private final Status status;
  private final Throwable cause;
  private final String reason;
  private final boolean brokerUnavailable;

  private Outcome(
      long recordId, Status status, Throwable cause, String reason, boolean brokerUnavailable) {
    this.recordId = recordId;
    this.status = status;
    this.cause = cause;
    this.reason = reason;
    this.brokerUnavailable = brokerUnavailable;
  }

  /** The record was delivered. */
  public static Outcome sent(OutboxRecord record) {
    return new Outcome(record.id(), Status.SENT, null, null, false);
  }

  /** Delivery failed transiently; the relay retries after the backoff. */
  public static Outcome retry(OutboxRecord record, Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    return new Outcome(record.id(), Status.RETRY, cause, describe(cause), false);
  }

  /**
   * Delivery failed because the broker could not be reached or is not serving (a connection refused
   * or lost, a request timed out, no leader): a {@link Status#RETRY} that is not the message's
   * fault. When every record the relay handed over first for a batch is retried this way (or with a
   * cause the relay recognizes as connection-level: an {@link java.io.IOException} or a {@link
   * java.util.concurrent.TimeoutException} among the causes), the relay counts no attempt for the
   * batch and pauses deliveries as a whole instead, see {@code OutboxRelay.Builder#brokerPause}.
   * Under per-key order what it hands over first is the oldest record of each key in the batch (see
   * {@link Sender}), so for a batch of one key's messages that one record decides: report a refusal
   * of the record itself (a nack) with a cause that is not connection-level.
   */
  public static Outcome unavailable(OutboxRecord record, Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    return new Outcome(record.id(), Status.RETRY, cause, describe(cause), true);
  }

  /** Delivery can never succeed; the relay dead-letters the record with this reason. */
  public static Outcome dead(OutboxRecord record, String reason) {
    Objects.requireNonNull(reason, "reason");
    return new Outcome(record.id(), Status.DEAD, null, reason, false);
  }

  /** One {@link #sent} outcome for every record of {@code batch}. */
  public static List<Outcome> allSent(List<OutboxRecord> batch) {
    return batch.stream().map(Outcome::sent).toList();
  }

  /** The {@link OutboxRecord#id()} this outcome is for. */
  public long recordId() {
    return recordId;
  }

  /** Sent, retry or dead. */
  public Status status() {
    return status;
  }

  /** The failure behind a retry, or null. */
  public Throwable cause() {
    return cause;
  }

  /** Whether this is a retry because the broker was unavailable, see {@link #unavailable}. */
  public boolean brokerUnavailable() {
    return brokerUnavailable;
  }

  /** The text stored as the message's last error (retry) or dead-letter reason (dead); or null. */
  public String reason() {
    return reason;
  }

  static String describe(Throwable t) {
    String message = t.getMessage();
    return message == null ? t.getClass().getName() : t.getClass().getName() + ": " + message;
  }

  @Override
  public String toString() {
    return "Outcome{record="
        + recordId
        + ", "
        + status
        + (reason == null ? "" : ", " + reason)
        + '}';
  }
}
