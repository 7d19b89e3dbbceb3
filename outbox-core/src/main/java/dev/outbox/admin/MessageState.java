package dev.outbox.admin;

/** Where a message stands, as the admin API reports it. */
public enum MessageState {
  /** Pending and claimable now: due and not leased. */
  DUE,
  /** Pending and claimed by a relay whose lease has not ended. */
  LEASED,
  /** Pending and waiting for a retry (or for a delay) to become due. */
  WAITING,
  /** Delivered; kept until retention drops its partition. */
  SENT,
  /** In the dead-letter table. */
  DEAD
}
