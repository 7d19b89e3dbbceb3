package dev.outbox.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

  /**
   * A pending row as a raw publisher hands it to a broker.
   *
   * @param messageId the message id
   * @param topic the topic
   * @param key the key, or null
   * @param payload the payload
   * @param createdAt when the row was written
   */
  record Pending(UUID messageId, String topic, String key, byte[] payload, Instant createdAt) {}

  /** Hands a batch of rows to a broker; returns only once the broker has taken every one. */
  @FunctionalInterface
  interface Publisher {
    void publish(List<Pending> rows) throws Exception;
  }

  /**
   * One publisher transaction on {@code c} (not in auto-commit mode): locks and reads up to {@code
   * batch} of the oldest pending rows as {@link #consume} does, hands them to {@code publisher},
   * and only once it returned marks them sent and commits; a failure rolls back.
   *
   * @return how many rows were published
   */
  int publish(Connection c, int batch, Publisher publisher) throws Exception;

  /** Subscribes {@code c} to the producers' notifications (committed at once). */
  void listen(Connection c) throws SQLException;

  /** Unsubscribes {@code c} (committed at once), leaving it clean for the pool. */
  void unlisten(Connection c) throws SQLException;

  /** Blocks until a notification arrives on {@code c} or {@code timeout} passes. */
  void awaitNotification(Connection c, Duration timeout) throws SQLException;
}
