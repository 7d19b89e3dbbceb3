package dev.outbox.spi;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.TopicCounts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JDBC layer under a dialect's {@link AdminSupport}: runs {@link NamedSql} statements and maps
 * their rows to the admin's views, reading times and UUIDs with the dialect's {@link JdbcTypes}. A
 * dialect keeps only its SQL (selecting the columns named here) and what truly differs.
 * Thread-safe; one instance per dialect.
 */
public final class AdminJdbc {

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<R> {
    /** The value of the current row. */
    R map(ResultSet rs) throws SQLException;
  }

  /** The relay table's columns, as {@link #relay()} reads them. */
  public static final String RELAY_COLUMNS =
      "instance, name, host, started_at, seen_at, last_claim_at, in_flight";

  /** The pause table's columns, as {@link #pause()} reads them. */
  public static final String PAUSE_COLUMNS = "topic, paused_at, reason";

  /** {@link OutboxAdmin#PAYLOAD_PREVIEW_BYTES} as SQL text, for a dialect's prefix expression. */
  public static final String PREVIEW_LENGTH = Integer.toString(OutboxAdmin.PAYLOAD_PREVIEW_BYTES);

  private final JdbcTypes types;

  /** The layer over {@code types}. */
  public AdminJdbc(JdbcTypes types) {
    this.types = types;
  }

  /** The dialect's types, for a statement this class does not run. */
  public JdbcTypes types() {
    return types;
  }

  /**
   * The message table's columns as {@link #message} reads them, with {@code payloadSize} the
   * dialect's expression for the payload's length in bytes (for example {@code
   * octet_length(payload)}).
   */
  public static String messageColumns(String payloadSize) {
    return "id, message_id, topic, msg_key, status, attempts, created_at, next_attempt_at,"
        + " last_error, lease_token, lease_until, sent_at, "
        + payloadSize
        + " AS payload_size, headers";
  }

  /**
   * The message table's columns as {@link #messageWithPreview} reads them: {@link
   * #messageColumns(String)} and {@code payloadPrefix}, as for {@link #deadLetterColumns(String,
   * String)}.
   */
  public static String messageColumns(String payloadSize, String payloadPrefix) {
    return messageColumns(payloadSize) + ", " + payloadPrefix + " AS payload_preview";
  }

  /** The dead-letter table's columns as {@link #deadLetter()} reads them; see messageColumns. */
  public static String deadLetterColumns(String payloadSize) {
    return "id, original_id, message_id, topic, msg_key, created_at, attempts, reason, dead_at,"
        + " replay_count, "
        + payloadSize
        + " AS payload_size, headers";
  }

  /**
   * The dead-letter table's columns as {@link #deadLetterWithPreview()} reads them: {@link
   * #deadLetterColumns(String)} and {@code payloadPrefix}, the dialect's expression for the first
   * {@link OutboxAdmin#PAYLOAD_PREVIEW_BYTES} bytes of the payload (see {@link #PREVIEW_LENGTH}).
   */
  public static String deadLetterColumns(String payloadSize, String payloadPrefix) {
    return deadLetterColumns(payloadSize) + ", " + payloadPrefix + " AS payload_preview";
  }

  // ---- running statements ----

  /** Every row of the query {@code sql}, mapped. */
  public <R> List<R> list(Connection c, NamedSql sql, SqlParams p, RowMapper<R> rows)
      throws SQLException {
    List<R> found = new ArrayList<>();
    try (PreparedStatement ps = sql.prepare(c, p, types);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(rows.map(rs));
      }
    }
    return found;
  }

  /** The first row of the query {@code sql}, mapped, if there is one. */
  public <R> Optional<R> first(Connection c, NamedSql sql, SqlParams p, RowMapper<R> rows)
      throws SQLException {
    return list(c, sql, p, rows).stream().findFirst();
  }

  /** The first column of the one row of {@code sql}, a count. */
  public long count(Connection c, NamedSql sql, SqlParams p) throws SQLException {
    try (PreparedStatement ps = sql.prepare(c, p, types);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("a count returned no row: " + sql.sql());
      }
      return rs.getLong(1);
    }
  }

  /** Runs the update {@code sql}; the rows it changed. */
  public int update(Connection c, NamedSql sql, SqlParams p) throws SQLException {
    try (PreparedStatement ps = sql.prepare(c, p, types)) {
      return ps.executeUpdate();
    }
  }

  /**
   * Runs {@code sql}, which returns rows of (id, count of all rows touched) for the first ids: a
   * {@link Change}; no row is a change of nothing.
   */
  public Change change(Connection c, NamedSql sql, SqlParams p, boolean dryRun)
      throws SQLException {
    List<Long> sample = new ArrayList<>();
    long rows = 0;
    try (PreparedStatement ps = sql.prepare(c, p, types);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        sample.add(rs.getLong(1));
        rows = rs.getLong(2);
      }
    }
    return new Change(rows, dryRun, sample);
  }

  // ---- row mappers ----

  /**
   * A message row ({@link #messageColumns}); a pending row's state is decided at {@code now} as the
   * claim decides it.
   */
  public RowMapper<MessageView> message(Instant now) {
    return message(now, false);
  }

  /** A message row with its payload's prefix ({@link #messageColumns(String, String)}). */
  public RowMapper<MessageView> messageWithPreview(Instant now) {
    return message(now, true);
  }

  private RowMapper<MessageView> message(Instant now, boolean preview) {
    return rs -> {
      Instant nextAttemptAt = types.instant(rs, "next_attempt_at");
      Instant leaseUntil = types.instant(rs, "lease_until");
      MessageState state =
          rs.getInt("status") == 1
              ? MessageState.SENT
              : MessageView.pendingState(now, nextAttemptAt, leaseUntil);
      return new MessageView(
          rs.getLong("id"),
          types.uuid(rs, "message_id"),
          rs.getString("topic"),
          rs.getString("msg_key"),
          state,
          rs.getInt("attempts"),
          types.instant(rs, "created_at"),
          nextAttemptAt,
          rs.getString("last_error"),
          types.uuid(rs, "lease_token"),
          leaseUntil,
          null,
          types.instant(rs, "sent_at"),
          rs.getLong("payload_size"),
          HeaderCodec.decode(rs.getString("headers")),
          preview ? rs.getBytes("payload_preview") : null);
    };
  }

  /** A dead-letter row ({@link #deadLetterColumns(String)}), without its payload. */
  public RowMapper<DeadLetterView> deadLetter() {
    return deadLetter(false);
  }

  /** A dead-letter row with its payload's prefix ({@link #deadLetterColumns(String, String)}). */
  public RowMapper<DeadLetterView> deadLetterWithPreview() {
    return deadLetter(true);
  }

  private RowMapper<DeadLetterView> deadLetter(boolean preview) {
    return rs ->
        new DeadLetterView(
            rs.getLong("id"),
            rs.getLong("original_id"),
            types.uuid(rs, "message_id"),
            rs.getString("topic"),
            rs.getString("msg_key"),
            types.instant(rs, "created_at"),
            rs.getInt("attempts"),
            rs.getString("reason"),
            types.instant(rs, "dead_at"),
            rs.getInt("replay_count"),
            rs.getLong("payload_size"),
            HeaderCodec.decode(rs.getString("headers")),
            preview ? rs.getBytes("payload_preview") : null);
  }

  /** A relay row ({@link #RELAY_COLUMNS}). */
  public RowMapper<RelayView> relay() {
    return rs ->
        new RelayView(
            rs.getLong("instance"),
            rs.getString("name"),
            rs.getString("host"),
            types.instant(rs, "started_at"),
            types.instant(rs, "seen_at"),
            types.instant(rs, "last_claim_at"),
            rs.getInt("in_flight"));
  }

  /** A pause row ({@link #PAUSE_COLUMNS}); the pause of every topic gets a null topic. */
  public RowMapper<PausedTopic> pause() {
    return rs -> {
      String topic = rs.getString("topic");
      return new PausedTopic(
          AdminSupport.ALL_TOPICS.equals(topic) ? null : topic,
          types.instant(rs, "paused_at"),
          rs.getString("reason"));
    };
  }

  /**
   * A row of counts by topic: the topic, then due, leased, waiting, dead and sent counts, by
   * position; not paused (the caller fills that in).
   */
  public static RowMapper<TopicCounts> topicCounts() {
    return rs ->
        new TopicCounts(
            rs.getString(1),
            rs.getLong(2),
            rs.getLong(3),
            rs.getLong(4),
            rs.getLong(5),
            rs.getLong(6),
            false);
  }

  /** The first column of each row, as a long: ids. */
  public static RowMapper<Long> firstLong() {
    return rs -> rs.getLong(1);
  }
}
