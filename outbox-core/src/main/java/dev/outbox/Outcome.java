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

  private Outcome(long recordId, Status status, Throwable cause, String reason) {
    this.recordId = recordId;
    this.status = status;
    this.cause = cause;
    this.reason = reason;
  }

  /** The record was delivered. */
  public static Outcome sent(OutboxRecord record) {
    return new Outcome(record.id(), Status.SENT, null, null);
  }

  /** Delivery failed transiently; the relay retries after the backoff. */
  public static Outcome retry(OutboxRecord record, Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    return new Outcome(record.id(), Status.RETRY, cause, describe(cause));
  }

  /** Delivery can never succeed; the relay dead-letters the record with this reason. */
  public static Outcome dead(OutboxRecord record, String reason) {
    Objects.requireNonNull(reason, "reason");
    return new Outcome(record.id(), Status.DEAD, null, reason);
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
