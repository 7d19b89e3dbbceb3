package dev.outbox.examples.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The raw-SQL baseline: the same rows written and consumed with plain statements, no framework
 * around them. It is what the outbox is measured against.
 */
interface RawQueue {

  /**
   * A message as the raw producer writes it: the same columns the outbox writes.
   *
   * @param messageId the message id
   * @param topic the topic
   * @param key the key, or null
   * @param payload the payload
   * @param availableAt when the message becomes due
   */
  record Row(UUID messageId, String topic, String key, byte[] payload, Instant availableAt) {}

  /**
   * Inserts {@code row} in the caller's transaction on {@code c}; with {@code notify}, also queues
   * a wake-up notification for raw consumers, delivered at commit.
   */
  void insert(Connection c, Row row, boolean notify) throws SQLException;

  /**
   * One consumer transaction on {@code c} (not in auto-commit mode): locks up to {@code batch} of
   * the oldest pending rows, skipping locked ones, reads them, marks them sent and commits.
   *
   * @param onRead told each row's message id as soon as the rows are read, before the update
   * @return how many rows were consumed
   */
  int consume(Connection c, int batch, Consumer<UUID> onRead) throws SQLException;

  /** Subscribes {@code c} to the producers' notifications (committed at once). */
  void listen(Connection c) throws SQLException;

  /** Unsubscribes {@code c} (committed at once), leaving it clean for the pool. */
  void unlisten(Connection c) throws SQLException;

  /** Blocks until a notification arrives on {@code c} or {@code timeout} passes. */
  void awaitNotification(Connection c, Duration timeout) throws SQLException;
}
