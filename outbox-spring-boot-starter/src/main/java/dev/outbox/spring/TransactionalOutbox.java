package dev.outbox.spring;

import dev.outbox.DuplicateMessageException;
import dev.outbox.EnlistFailedException;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxTables;
import dev.outbox.PayloadCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The outbox of a Spring application: enlists messages in the <em>current Spring transaction</em>
 * ({@code @Transactional}, {@code TransactionTemplate}), through the connection that transaction
 * holds on this outbox's {@link DataSource} ({@link DataSourceUtils}), so they commit or roll back
 * with what {@code JdbcTemplate}, {@code JdbcClient}, Spring Data JDBC or JPA wrote in the same
 * transaction. When that transaction commits, the relays running in this application are woken at
 * once; on rollback nothing is written and nothing is woken.
 *
 * <p>Outside a transaction, or in one that is not on this outbox's {@code DataSource}, nothing is
 * written and an {@link IllegalStateException} says so. Thread-safe.
 */
public final class TransactionalOutbox {
  private final JdbcOutbox outbox;
  private final DataSource dataSource;
  private final TransactionSynchronization wakeAfterCommit;

  /**
   * @param outbox writes the rows
   * @param dataSource the DataSource the application's transactions run on
   * @param relays woken after a transaction that enlisted commits
   */
  public TransactionalOutbox(JdbcOutbox outbox, DataSource dataSource, LocalRelays relays) {
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(relays, "relays");
    this.wakeAfterCommit = new WakeAfterCommit(relays);
  }

  /**
   * Writes {@code message} in the current transaction. A message with an idempotency key that this
   * outbox's table has seen within {@code outbox.idempotency.window} is not written again: its
   * first message's id is returned, or {@link DuplicateMessageException} is thrown with {@code
   * outbox.idempotency.on-duplicate=refuse}.
   *
   * @return the message id, which senders put in the broker message
   * @throws IllegalStateException if no Spring transaction is active on this outbox's DataSource;
   *     nothing is written
   * @throws IllegalArgumentException if the message breaks a limit; nothing is written
   * @throws EnlistFailedException if the database write failed; the transaction must roll back
   * @throws DuplicateMessageException if the message's idempotency key was enlisted before, within
   *     the window, and {@code outbox.idempotency.on-duplicate=refuse}; nothing is written, and
   *     thrown out of a {@code @Transactional} method it rolls the transaction back
   */
  public UUID add(OutboxMessage message) {
    return addAll(List.of(Objects.requireNonNull(message, "message"))).get(0);
  }

  /**
   * Writes all {@code messages} in the current transaction, in one batched statement, in iteration
   * order (their delivery order per key).
   *
   * @return the message ids, in the order of {@code messages}
   * @throws IllegalStateException if no Spring transaction is active on this outbox's DataSource;
   *     nothing is written
   * @throws IllegalArgumentException if any message breaks a limit; nothing is written
   * @throws EnlistFailedException if the database write failed; the transaction must roll back
   * @throws DuplicateMessageException if a message's idempotency key was enlisted before and
   *     duplicates are refused; nothing is written
   */
  public List<UUID> addAll(Collection<OutboxMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    return inTransaction(c -> outbox.addAll(c, messages));
  }

  /**
   * Writes a message to {@code topic} with key {@code key} (null: unordered) whose payload is
   * {@code payload} encoded by this outbox's {@linkplain #payloadCodec() codec} (with the starter's
   * defaults, JSON through {@code JacksonPayloadCodec} when {@code outbox-jackson} is on the class
   * path), in the current transaction, with the codec's media type in the {@code content-type}
   * header. For headers, an idempotency key or a delay, build the message with {@code
   * OutboxMessage.builder(topic).payload(value, codec)}.
   *
   * <pre>{@code
   * outbox.add("orders", order.id(), new OrderPlaced(order.id(), order.total()));
   * }</pre>
   *
   * @return the message id
   * @throws IllegalStateException if no Spring transaction is active on this outbox's DataSource,
   *     or this outbox has no payload codec; nothing is written
   * @throws IllegalArgumentException if the codec cannot encode {@code payload} or the message
   *     breaks a limit; nothing is written
   * @throws EnlistFailedException if the database write failed; the transaction must roll back
   */
  public UUID add(String topic, String key, Object payload) {
    Objects.requireNonNull(payload, "payload");
    return inTransaction(c -> outbox.add(c, topic, key, payload));
  }

  /**
   * The codec {@link #add(String, String, Object)} encodes payloads with, if this outbox has one.
   */
  public Optional<PayloadCodec<Object>> payloadCodec() {
    return outbox.payloadCodec();
  }

  /**
   * Runs {@code write} on the connection of the current transaction, and wakes the local relays
   * after that transaction commits.
   */
  private <R> R inTransaction(Function<Connection, R> write) {
    requireTransaction();
    Connection c = DataSourceUtils.getConnection(dataSource);
    try {
      requireTransactional(c);
      R written = write.apply(c);
      // A set: registering it again in the same transaction changes nothing.
      TransactionSynchronizationManager.registerSynchronization(wakeAfterCommit);
      return written;
    } finally {
      DataSourceUtils.releaseConnection(c, dataSource);
    }
  }

  /** The tables this outbox writes to. */
  public OutboxTables tables() {
    return outbox.tables();
  }

  private static void requireTransaction() {
    if (!TransactionSynchronizationManager.isActualTransactionActive()
        || !TransactionSynchronizationManager.isSynchronizationActive()) {
      throw new IllegalStateException(
          "no Spring transaction is active: enlisting must run inside the transaction of the"
              + " business write (a @Transactional method or TransactionTemplate), or the message"
              + " would not be atomic with it");
    }
  }

  /**
   * A transaction on another resource (another DataSource's transaction manager) hands out a fresh
   * connection in auto-commit mode; writing through it would commit the message on its own.
   */
  private static void requireTransactional(Connection c) {
    boolean autoCommit;
    try {
      autoCommit = c.getAutoCommit();
    } catch (SQLException e) {
      throw new EnlistFailedException(
          "could not read the connection's auto-commit mode: " + e.getMessage(), e, true);
    }
    if (autoCommit) {
      throw new IllegalStateException(
          "the active Spring transaction does not hold a connection of the outbox's DataSource"
              + " (is its transaction manager for another DataSource?); the message would not be"
              + " atomic with the business write");
    }
  }

  /** Wakes the local relays once the transaction has committed; nothing on rollback. */
  private record WakeAfterCommit(LocalRelays relays) implements TransactionSynchronization {
    @Override
    public void afterCommit() {
      relays.wakeAll();
    }
  }
}
