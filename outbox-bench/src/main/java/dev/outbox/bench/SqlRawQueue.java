package dev.outbox.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The raw consumer transaction both databases run: lock the oldest pending rows with {@code FOR
 * UPDATE SKIP LOCKED}, read them, mark them sent, commit. Each database says how it reads a row and
 * how it marks a batch sent. The raw publishers of the broker scenarios run the same transaction
 * with the broker's confirms before the update.
 */
abstract class SqlRawQueue implements RawQueue {
  private static final String LOCK_OLDEST_PENDING =
      """
      SELECT id, message_id, topic, msg_key, payload, headers, created_at
        FROM %s
       WHERE status = 0
       ORDER BY id
       LIMIT ?
         FOR UPDATE SKIP LOCKED
      """;

  private final String lockSql;

  /**
   * @param qualifiedTable the raw table, schema-qualified and quoted
   */
  SqlRawQueue(String qualifiedTable) {
    this.lockSql = String.format(LOCK_OLDEST_PENDING, qualifiedTable);
  }

  @Override
  public final int consume(Connection c, int batch, Consumer<UUID> onRead) throws SQLException {
    List<Long> ids = new ArrayList<>(batch);
    try {
      try (PreparedStatement ps = c.prepareStatement(lockSql)) {
        ps.setInt(1, batch);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(read(rs, onRead));
          }
        }
      }
      if (!ids.isEmpty()) {
        markSent(c, ids);
      }
      c.commit();
      return ids.size();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    }
  }

  @Override
  public final int publish(Connection c, int batch, Publisher publisher) throws Exception {
    List<Long> ids = new ArrayList<>(batch);
    List<Pending> rows = new ArrayList<>(batch);
    try {
      try (PreparedStatement ps = c.prepareStatement(lockSql)) {
        ps.setInt(1, batch);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
            rows.add(pending(rs));
          }
        }
      }
      if (!rows.isEmpty()) {
        publisher.publish(rows);
        markSent(c, ids);
      }
      c.commit();
      return ids.size();
    } catch (Exception e) {
      c.rollback();
      throw e;
    }
  }

  /**
   * Reads every column of the current row of the lock query, as {@link #read} does, into what a
   * publisher sends: both databases hand the message id over as its text. The headers are read and
   * dropped, as the benchmark's rows carry none.
   */
  private static Pending pending(ResultSet rs) throws SQLException {
    UUID messageId = UUID.fromString(rs.getString(2));
    String topic = rs.getString(3);
    String key = rs.getString(4);
    byte[] payload = rs.getBytes(5);
    rs.getString(6);
    Instant createdAt = rs.getTimestamp(7).toInstant();
    return new Pending(messageId, topic, key, payload, createdAt);
  }

  /**
   * Reads every column of the current row of the lock query, as a real consumer must, and tells
   * {@code onRead} its message id.
   *
   * @return the row's id
   */
  abstract long read(ResultSet rs, Consumer<UUID> onRead) throws SQLException;

  /** Marks the rows with {@code ids} (not empty) sent, in the consumer's transaction. */
  abstract void markSent(Connection c, List<Long> ids) throws SQLException;
}
