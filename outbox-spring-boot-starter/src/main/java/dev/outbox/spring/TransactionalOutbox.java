package dev.outbox.spring;

import dev.outbox.EnlistFailedException;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
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
   * Writes {@code message} in the current transaction.
   *
   * @return the message id, which senders put in the broker message
   * @throws IllegalStateException if no Spring transaction is active on this outbox's DataSource;
   *     nothing is written
   * @throws IllegalArgumentException if the message breaks a limit; nothing is written
   * @throws EnlistFailedException if the database write failed; the transaction must roll back
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
   */
  public List<UUID> addAll(Collection<OutboxMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    requireTransaction();
    Connection c = DataSourceUtils.getConnection(dataSource);
    try {
      requireTransactional(c);
      List<UUID> ids = outbox.addAll(c, messages);
      // A set: registering it again in the same transaction changes nothing.
      TransactionSynchronizationManager.registerSynchronization(wakeAfterCommit);
      return ids;
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
