package dev.outbox.spi;

import dev.outbox.OutboxTables;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.admin.TopicCounts;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * The admin operations of one database, for {@code dev.outbox.OutboxAdmin} and for the relay's
 * pause and heartbeat: see {@link OutboxDialect#admin()}. They use two small tables beside the
 * message table, {@link OutboxTables#pauseTable()} and {@link OutboxTables#relayTable()}, created
 * by the dialect's migrations.
 *
 * <p>As everywhere in the SPI, every method receives a connection in auto-commit mode; a method
 * that changes more than one row does so in one transaction of its own ({@link Jdbc#inTransaction})
 * and a dry run changes nothing. Times passed in are the caller's clock; {@code now} decides which
 * pending messages are due, leased or waiting, as in the claim. The "cost" of each method, which
 * its implementation documents, is the rows or index entries it reads.
 */
public interface AdminSupport {

  /** The topic under which a pause of every topic is stored (topics are never blank). */
  String ALL_TOPICS = "";

  // ---- the overview ----

  /**
   * Counts by topic and state: pending messages as due, leased or waiting at {@code now}, dead
   * letters, and messages enlisted and sent since {@code sentSince}. Topics in name order; {@link
   * TopicCounts#paused()} false (the caller fills it in).
   */
  List<TopicCounts> topicCounts(Connection c, OutboxTables tables, Instant now, Instant sentSince)
      throws SQLException;

  /** Pending messages by attempts made so far. */
  SortedMap<Integer, Long> attempts(Connection c, OutboxTables tables) throws SQLException;

  /** The relays that reported at or after {@code seenSince}, by name and instance. */
  List<RelayView> relays(Connection c, OutboxTables tables, Instant seenSince) throws SQLException;

  // ---- messages ----

  /**
   * The message with row id {@code id}, pending or sent, with the first {@link
   * dev.outbox.OutboxAdmin#PAYLOAD_PREVIEW_BYTES} bytes of its payload, cut in SQL.
   */
  Optional<MessageView> message(Connection c, OutboxTables tables, long id, Instant now)
      throws SQLException;

  /**
   * The messages with message id {@code messageId}, pending or sent (normally one; a replayed
   * message that died again and was replayed at the end can appear twice), in id order, each with
   * its payload's prefix as {@link #message} reads it.
   */
  List<MessageView> messagesById(
      Connection c, OutboxTables tables, java.util.UUID messageId, Instant now) throws SQLException;

  /**
   * Up to {@code limit} pending messages matching {@code filter} with an id above {@code afterId},
   * in id order.
   */
  List<MessageView> pending(
      Connection c, OutboxTables tables, MessageFilter filter, long afterId, int limit, Instant now)
      throws SQLException;

  // ---- dead letters ----

  /**
   * The dead letter with id {@code id}, with the first {@link
   * dev.outbox.OutboxAdmin#PAYLOAD_PREVIEW_BYTES} bytes of its payload, cut in SQL so a large
   * payload is not read whole.
   */
  Optional<DeadLetterView> deadLetter(Connection c, OutboxTables tables, long id)
      throws SQLException;

  /**
   * Up to {@code limit} dead letters matching {@code filter}, newest first: ids below {@code
   * beforeId} ({@link Long#MAX_VALUE} for the newest), in descending id order; without payloads.
   */
  List<DeadLetterView> deadLetters(
      Connection c, OutboxTables tables, DeadLetterFilter filter, long beforeId, int limit)
      throws SQLException;

  /**
   * Moves the dead letters matching {@code filter} back into the message table as pending messages,
   * in one transaction: attempts 0, due at {@code now}, no error or lease, {@code created_at} the
   * database clock, {@code replay_count} one more than the dead letter's, and the same message id,
   * topic, key, payload and headers. With {@link ReplayPlacement#ORIGINAL} a message gets back its
   * original id ({@link DeadLetterView#originalId()}) unless a row with that id is in the message
   * table, in which case it gets a new one; with {@link ReplayPlacement#END} always a new one. The
   * dead letters are deleted. A dry run changes nothing and reports what would be replayed.
   */
  Change replay(
      Connection c,
      OutboxTables tables,
      DeadLetterFilter filter,
      ReplayPlacement placement,
      Instant now,
      boolean dryRun)
      throws SQLException;

  /** Deletes the dead letters matching {@code filter}, in one transaction, or counts them. */
  Change purge(Connection c, OutboxTables tables, DeadLetterFilter filter, boolean dryRun)
      throws SQLException;

  // ---- keys ----

  /** The oldest pending message of {@code key}. */
  Optional<MessageView> keyHead(Connection c, OutboxTables tables, String key, Instant now)
      throws SQLException;

  /** How many messages of {@code key} are pending, counting at most {@code cap}. */
  long keyPending(Connection c, OutboxTables tables, String key, long cap) throws SQLException;

  /** How many dead letters have {@code key}. */
  long keyDeadLetters(Connection c, OutboxTables tables, String key) throws SQLException;

  /**
   * Makes the head of {@code key} due at {@code now} if it is waiting (not leased): it is claimed
   * at the next poll. Its attempts are kept. Returns the row touched (none when the key has no
   * pending message, or its head is leased or due already).
   */
  Change retryHead(Connection c, OutboxTables tables, String key, Instant now, boolean dryRun)
      throws SQLException;

  /**
   * Moves the head of {@code key} to the dead-letter table with {@code reason}, in one transaction,
   * unless it is leased; the key's next message becomes its head. Returns the row touched.
   */
  Change deadLetterHead(
      Connection c, OutboxTables tables, String key, String reason, Instant now, boolean dryRun)
      throws SQLException;

  // ---- pause and resume ----

  /**
   * Pauses {@code topic} ({@link #ALL_TOPICS} for every topic) at {@code now}; pausing a paused
   * topic keeps its first time and replaces the reason.
   */
  void pause(Connection c, OutboxTables tables, String topic, String reason, Instant now)
      throws SQLException;

  /** Resumes {@code topic} ({@link #ALL_TOPICS} for the pause of every topic); false if none. */
  boolean resume(Connection c, OutboxTables tables, String topic) throws SQLException;

  /** The pauses, in topic order, the pause of every topic first (its topic is null). */
  List<PausedTopic> paused(Connection c, OutboxTables tables) throws SQLException;

  /**
   * The paused topics as the relay reads them each poll interval: topic names, with {@link
   * #ALL_TOPICS} when every topic is paused. One read of the (small) pause table.
   */
  Set<String> pausedTopics(Connection c, OutboxTables tables) throws SQLException;

  // ---- relay heartbeat ----

  /** Inserts or updates the relay's row. */
  void heartbeat(Connection c, OutboxTables tables, RelayHeartbeat heartbeat) throws SQLException;

  /**
   * Removes the relay's row (when it closes), and rows of relays not seen since {@code
   * staleBefore}.
   */
  void leave(Connection c, OutboxTables tables, long instance, Instant staleBefore)
      throws SQLException;
}
