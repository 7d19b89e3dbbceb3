package dev.outbox;

/**
 * A partition maintenance run failed for a reason other than a busy lock (which a run reports in
 * its {@link MaintenanceResult} instead): the database was unreachable, the message table is
 * missing or not partitioned, a name is taken by another table. Work the run finished before the
 * failure stays done; nothing else is changed. The background job reports it and tries again at its
 * next run.
 */
public final class PartitionMaintenanceException extends OutboxException {
  /** Creates the exception. */
  public PartitionMaintenanceException(String message, Throwable cause, boolean transientFailure) {
    super(message, cause, transientFailure);
  }
}
