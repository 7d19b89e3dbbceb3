package dev.outbox;

import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.KeyDiagnosis;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.Overview;
import dev.outbox.admin.Page;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.admin.TopicCounts;
import dev.outbox.internal.AdminGauges;
import dev.outbox.internal.KeyVerdict;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.Jdbc;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What the on-call engineer asks of an outbox, over one API: how far behind it is ({@link
 * #overview}), what is pending ({@link #pending}, {@link #message}), what died and why ({@link
 * #deadLetters}), replaying and purging dead letters ({@link #replay}, {@link #purge}), what holds
 * a key back ({@link #key}, {@link #retryKey}, {@link #deadLetterKeyHead}), and pausing delivery of
 * a topic while its broker is fixed ({@link #pause}, {@link #resume}). The CLI and the web console
 * are built on it.
 *
 * <p>Every call takes a connection from the data source for its own duration; nothing is cached, so
 * two admins (or an admin and the SQL console) see the same state. Each change is one transaction
 * and reports the rows it touched; each has a dry run. Thread-safe.
 *
 * <p>A pause is stored in the database (the pause table) and every relay on the same tables reads
 * it before it claims, at most one poll interval apart: within one poll interval of {@link #pause},
 * no relay claims a message of that topic. Batches already claimed finish. A pause survives
 * restarts of relays and of the database, until {@link #resume}.
 *
 * <p>What each call reads is documented on it; the dialects say how their SQL does it, and the
 * docs/operations.md lists what each cost on a table of 1,000,000 rows.
 */
public final class OutboxAdmin {
  /** Largest page any listing returns. */
  public static final int MAX_PAGE = 1000;

  /**
   * Most bytes of a payload a read of one message or dead letter returns ({@link
   * DeadLetterView#payloadPreview()}, {@link MessageView#payloadPreview()}); the database cuts the
   * payload to this prefix, so a large payload is never read whole. Listings read no payload at
   * all.
   */
  public static final int PAYLOAD_PREVIEW_BYTES = 4096;

  /** Default window of "sent recently" in the overview. */
  public static final Duration DEFAULT_SENT_WINDOW = Duration.ofHours(1);

  /** How long a relay that stopped reporting stays in the overview. */
  public static final Duration RELAY_WINDOW = Duration.ofMinutes(1);

  /** Most pending messages of a key the key diagnosis counts. */
  static final long KEY_COUNT_CAP = 100_000;

  private final DataSource dataSource;
  private final OutboxDialect dialect;
  private final AdminSupport sql;
  private final OutboxTables tables;
  private final Clock clock;

  private OutboxAdmin(Builder b) {
    this.dataSource = b.dataSource;
    this.dialect = b.dialect;
    this.sql = b.dialect.admin();
    this.tables = b.tables;
    this.clock = b.clock;
  }

  /**
   * Starts an admin for the outbox in {@code dataSource}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(DataSource dataSource, OutboxDialect dialect) {
    return new Builder(dataSource, dialect);
  }

  /** The tables this admin reads and changes. */
  public OutboxTables tables() {
    return tables;
  }

  // ---- overview ----

  /** {@link #overview(Duration)} with the default window, {@link #DEFAULT_SENT_WINDOW}. */
  public Overview overview() {
    return overview(DEFAULT_SENT_WINDOW);
  }

  /**
   * How far behind the outbox is: totals (the same query as the relay's backlog gauges), counts by
   * topic and state, pending messages by attempts, the relays seen in the last minute and the
   * pauses.
   *
   * <p>Cost: reads every pending row once for the counts and once for the attempts, the dead
   * letters once, and the sent rows enlisted within {@code sentWindow} (a range of the newest
   * partitions); the pause and relay tables are a few rows. Proportional to the backlog plus the
   * recent history, never to the whole history.
   *
   * @param sentWindow how far back to count sent messages (between 1 second and 30 days)
   */
  public Overview overview(Duration sentWindow) {
    if (sentWindow == null
        || sentWindow.isNegative()
        || sentWindow.isZero()
        || sentWindow.compareTo(Duration.ofDays(30)) > 0) {
      throw new IllegalArgumentException(
          "sentWindow must be between 1 second and 30 days, was " + sentWindow);
    }
    Instant now = now();
    return read(
        "read the overview",
        c -> {
          BacklogStats totals = dialect.backlog(c, tables);
          List<PausedTopic> paused = sql.paused(c, tables);
          Set<String> pausedNames = names(paused);
          List<TopicCounts> topics = new ArrayList<>();
          for (TopicCounts t : sql.topicCounts(c, tables, now, now.minus(sentWindow))) {
            topics.add(
                new TopicCounts(
                    t.topic(),
                    t.due(),
                    t.leased(),
                    t.waiting(),
                    t.dead(),
                    t.sentRecently(),
                    isPaused(pausedNames, t.topic())));
          }
          SortedMap<Integer, Long> attempts = sql.attempts(c, tables);
          List<RelayView> relays = sql.relays(c, tables, now.minus(RELAY_WINDOW));
          Instant oldest = totals.oldestPendingCreatedAt();
          Duration age =
              oldest == null || oldest.isAfter(now) ? Duration.ZERO : Duration.between(oldest, now);
          return new Overview(
              now,
              totals.pending(),
              age,
              totals.deadLetters(),
              topics,
              attempts,
              relays,
              paused,
              sentWindow);
        });
  }

  // ---- messages ----

  /**
   * The message with row id {@code id}, pending or sent, with the first {@link
   * #PAYLOAD_PREVIEW_BYTES} bytes of its payload ({@link MessageView#payloadPreview()}). Cost: one
   * primary-key lookup per partition (partitions are pruned only by creation time, which the id
   * does not give).
   */
  public Optional<MessageView> message(long id) {
    Instant now = now();
    return read("find message " + id, c -> owned(c, sql.message(c, tables, id, now)));
  }

  /**
   * The messages with message id {@code messageId}, pending or sent, in id order (normally one),
   * each with its payload's first bytes as {@link #message(long)} reads them. Cost: the message id
   * is not indexed (an index would slow every enlist), so this reads the whole message table,
   * pending and sent; use it on a quiet moment or prefer {@link #message(long)}.
   */
  public List<MessageView> messagesById(UUID messageId) {
    Objects.requireNonNull(messageId, "messageId");
    Instant now = now();
    return read(
        "find message " + messageId,
        c -> {
          List<MessageView> found = new ArrayList<>();
          for (MessageView m : sql.messagesById(c, tables, messageId, now)) {
            found.add(owned(c, Optional.of(m)).orElseThrow());
          }
          return found;
        });
  }

  /**
   * A page of pending messages matching {@code filter}, oldest first.
   *
   * <p>Cost: walks the pending rows in id order from the cursor and stops after {@code limit}
   * matches; with a key, only that key's pending rows (its index range). A filter that matches few
   * rows may read the whole backlog, never the sent history.
   *
   * @param cursor null for the first page, else {@link Page#nextCursor()} of the previous one
   * @param limit the most messages to return, 1 to {@link #MAX_PAGE}
   */
  public Page<MessageView> pending(MessageFilter filter, String cursor, int limit) {
    Objects.requireNonNull(filter, "filter");
    checkLimit(limit);
    long after = cursor(cursor, 0);
    Instant now = now();
    return read(
        "list pending messages",
        c -> {
          List<MessageView> items = new ArrayList<>();
          Map<Long, String> owners = owners(c);
          for (MessageView m : sql.pending(c, tables, filter, after, limit, now)) {
            items.add(withOwner(m, owners));
          }
          String next = items.size() < limit ? null : Long.toString(items.get(limit - 1).id());
          return new Page<>(items, next);
        });
  }

  // ---- dead letters ----

  /**
   * The dead letter with id {@code id}, with the first {@link #PAYLOAD_PREVIEW_BYTES} bytes of its
   * payload ({@link DeadLetterView#payloadPreview()}). Cost: one primary-key lookup.
   */
  public Optional<DeadLetterView> deadLetter(long id) {
    return read("find dead letter " + id, c -> sql.deadLetter(c, tables, id));
  }

  /**
   * A page of dead letters matching {@code filter}, newest first.
   *
   * <p>Cost: walks the dead-letter table from the newest (by id) and stops after {@code limit}
   * matches; a topic filter uses the (topic, dead_at) index.
   *
   * @param cursor null for the first page, else {@link Page#nextCursor()} of the previous one
   * @param limit the most dead letters to return, 1 to {@link #MAX_PAGE}
   */
  public Page<DeadLetterView> deadLetters(DeadLetterFilter filter, String cursor, int limit) {
    Objects.requireNonNull(filter, "filter");
    checkLimit(limit);
    long before = cursor(cursor, Long.MAX_VALUE);
    return read(
        "list dead letters",
        c -> {
          List<DeadLetterView> items = sql.deadLetters(c, tables, filter, before, limit);
          String next = items.size() < limit ? null : Long.toString(items.get(limit - 1).id());
          return new Page<>(items, next);
        });
  }

  /**
   * {@link #replay(DeadLetterFilter, ReplayPlacement, boolean)} at {@link
   * ReplayPlacement#ORIGINAL}.
   */
  public Change replay(DeadLetterFilter filter, boolean dryRun) {
    return replay(filter, ReplayPlacement.ORIGINAL, dryRun);
  }

  /**
   * Moves the dead letters matching {@code filter} back to pending, as a new attempt cycle: due
   * now, attempts 0, {@code replay_count} one more, same message id. One transaction.
   *
   * <p>With {@link ReplayPlacement#ORIGINAL} (the default) a message goes back to its original id,
   * so it is delivered before every pending message of its key enlisted after it: a key's messages
   * keep their enlist order among those not yet sent. Messages of the key that were sent while it
   * was dead stay sent: a replay cannot undo them. {@link ReplayPlacement#END} puts it behind
   * everything enlisted so far instead.
   *
   * <p>Cost: reads the matching dead letters (by id, or by the topic index, or all of them) and
   * writes each once.
   *
   * @throws IllegalArgumentException if the filter has no criterion and is not {@link
   *     DeadLetterFilter#all()}
   */
  public Change replay(DeadLetterFilter filter, ReplayPlacement placement, boolean dryRun) {
    requireCriterion(filter, "replay");
    Objects.requireNonNull(placement, "placement");
    Instant now = now();
    return read(
        dryRun ? "count dead letters to replay" : "replay dead letters",
        c -> sql.replay(c, tables, filter, placement, now, dryRun));
  }

  /**
   * Deletes the dead letters matching {@code filter}, in one transaction. Cost: as {@link #replay}.
   *
   * @throws IllegalArgumentException if the filter has no criterion and is not {@link
   *     DeadLetterFilter#all()}
   */
  public Change purge(DeadLetterFilter filter, boolean dryRun) {
    requireCriterion(filter, "purge");
    return read(
        dryRun ? "count dead letters to purge" : "purge dead letters",
        c -> sql.purge(c, tables, filter, dryRun));
  }

  // ---- keys ----

  /**
   * What holds {@code key} back: its head (oldest pending message) with its attempts, next attempt
   * time, last error and lease owner, how many of its messages are pending and dead, and whether
   * its topic is paused.
   *
   * <p>Cost: the key's range of the pending key index (counting stops at 100,000), its dead letters
   * (their key index) and the pause and relay tables.
   */
  public KeyDiagnosis key(String key) {
    checkKey(key);
    Instant now = now();
    return read(
        "diagnose key " + key,
        c -> {
          Optional<MessageView> head = owned(c, sql.keyHead(c, tables, key, now));
          long pending = head.isEmpty() ? 0 : sql.keyPending(c, tables, key, KEY_COUNT_CAP);
          long dead = sql.keyDeadLetters(c, tables, key);
          Set<String> paused = sql.pausedTopics(c, tables);
          boolean isPaused = head.isPresent() && isPaused(paused, head.get().topic());
          return new KeyDiagnosis(
              key,
              head,
              pending,
              dead,
              isPaused,
              KeyVerdict.of(head, pending, dead, isPaused, now));
        });
  }

  /**
   * Makes the head of {@code key} due now if it is waiting for a retry, so that the next poll
   * claims it; its attempts are kept. A leased head is left alone (its relay is sending it).
   */
  public Change retryKey(String key, boolean dryRun) {
    checkKey(key);
    Instant now = now();
    return read("retry key " + key, c -> sql.retryHead(c, tables, key, now, dryRun));
  }

  /**
   * Moves the head of {@code key} to the dead letters with {@code reason}, so that the key's next
   * message can go; one transaction. A leased head is left alone. Replay it later like any dead
   * letter.
   */
  public Change deadLetterKeyHead(String key, String reason, boolean dryRun) {
    checkKey(key);
    String why =
        reason == null || reason.isBlank() ? "dead-lettered by an operator" : reason.strip();
    Instant now = now();
    return read(
        "dead-letter the head of key " + key,
        c -> sql.deadLetterHead(c, tables, key, why, now, dryRun));
  }

  // ---- pause and resume ----

  /**
   * Pauses delivery of {@code topic}: within one poll interval no relay on these tables claims its
   * messages, until {@link #resume}. Messages of the topic keep being enlisted. With per-key order,
   * a key whose oldest pending message is paused waits, messages of other topics included. Stored
   * in the database; survives restarts. Pausing a paused topic keeps its time.
   *
   * @param reason shown to other operators, may be null
   */
  public void pause(String topic, String reason) {
    checkTopic(topic);
    Instant now = now();
    write("pause topic " + topic, c -> sql.pause(c, tables, topic, trim(reason), now));
  }

  /** Pauses every topic: relays claim nothing until {@link #resumeAll()}. */
  public void pauseAll(String reason) {
    Instant now = now();
    write(
        "pause all topics", c -> sql.pause(c, tables, AdminSupport.ALL_TOPICS, trim(reason), now));
  }

  /**
   * Resumes delivery of {@code topic}; relays claim it again within one poll interval. Does not
   * lift a pause of all topics.
   *
   * @return whether the topic was paused
   */
  public boolean resume(String topic) {
    checkTopic(topic);
    return read("resume topic " + topic, c -> sql.resume(c, tables, topic));
  }

  /**
   * Lifts the pause of all topics (topics paused one by one stay paused).
   *
   * @return whether all topics were paused
   */
  public boolean resumeAll() {
    return read("resume all topics", c -> sql.resume(c, tables, AdminSupport.ALL_TOPICS));
  }

  /** The pauses, the pause of all topics first. Cost: reads the pause table. */
  public List<PausedTopic> paused() {
    return read("read paused topics", c -> sql.paused(c, tables));
  }

  /**
   * Registers OpenTelemetry gauges: {@code outbox.topics.paused} (paused topics, the pause of all
   * topics counted as one), and {@code outbox.backlog.pending}, {@code outbox.backlog.oldest_age}
   * and {@code outbox.dead_letters} from the same query as {@link #overview}'s totals, each with
   * the attribute {@code outbox.table}. Read each time metrics are collected; a failed read skips
   * that collection. Close the returned handle to remove them.
   */
  public AutoCloseable registerGauges(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return AdminGauges.register(openTelemetry, dataSource, dialect, tables, clock);
  }

  // ---- helpers ----

  private Optional<MessageView> owned(Connection c, Optional<MessageView> m) throws SQLException {
    if (m.isEmpty() || m.get().leaseToken() == null) {
      return m;
    }
    return Optional.of(withOwner(m.get(), owners(c)));
  }

  private Map<Long, String> owners(Connection c) throws SQLException {
    Map<Long, String> owners = new HashMap<>();
    for (RelayView r : sql.relays(c, tables, Instant.EPOCH)) {
      owners.put(r.instance(), r.name() + "@" + r.host());
    }
    return owners;
  }

  private static MessageView withOwner(MessageView m, Map<Long, String> owners) {
    if (m.leaseToken() == null || m.state() != MessageState.LEASED) {
      return m;
    }
    return m.withLeaseOwner(owners.get(m.leaseToken().getMostSignificantBits()));
  }

  private static Set<String> names(List<PausedTopic> paused) {
    Set<String> names = new HashSet<>();
    for (PausedTopic p : paused) {
      names.add(p.allTopics() ? AdminSupport.ALL_TOPICS : p.topic());
    }
    return names;
  }

  private static boolean isPaused(Set<String> paused, String topic) {
    return paused.contains(AdminSupport.ALL_TOPICS) || paused.contains(topic);
  }

  private static void requireCriterion(DeadLetterFilter filter, String what) {
    Objects.requireNonNull(filter, "filter");
    if (filter.isEmpty() && !filter.everything()) {
      throw new IllegalArgumentException(
          "a "
              + what
              + " needs at least one criterion (ids, topic, key, reason, time);"
              + " use DeadLetterFilter.all() to "
              + what
              + " every dead letter");
    }
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_PAGE + ", was " + limit);
    }
  }

  private static long cursor(String cursor, long first) {
    if (cursor == null) {
      return first;
    }
    try {
      return Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "cursor '" + cursor + "' is not one this admin returned (Page.nextCursor())", e);
    }
  }

  private static void checkTopic(String topic) {
    if (topic == null || topic.isBlank() || topic.length() > OutboxMessage.MAX_TOPIC_LENGTH) {
      throw new IllegalArgumentException(
          "topic must be 1 to "
              + OutboxMessage.MAX_TOPIC_LENGTH
              + " characters, was '"
              + topic
              + "'");
    }
  }

  private static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > OutboxMessage.MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "key must be 1 to " + OutboxMessage.MAX_KEY_LENGTH + " characters, was '" + key + "'");
    }
  }

  private static String trim(String reason) {
    return reason == null || reason.isBlank() ? null : reason.strip();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private void write(String what, SqlVoid work) {
    read(
        what,
        c -> {
          work.run(c);
          return null;
        });
  }

  private <R> R read(String what, Jdbc.SqlWork<R> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      return work.run(c);
    } catch (SQLException e) {
      throw new OutboxException(
          "outbox admin could not " + what + " in " + describe() + ": " + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
  }

  private String describe() {
    return (tables.schema() == null ? "" : tables.schema() + ".") + tables.table();
  }

  @FunctionalInterface
  private interface SqlVoid {
    void run(Connection c) throws SQLException;
  }

  /** Configures an {@link OutboxAdmin}. */
  public static final class Builder {
    private final DataSource dataSource;
    private final OutboxDialect dialect;
    private OutboxTables tables = OutboxTables.defaults();
    private Clock clock = Clock.systemUTC();

    private Builder(DataSource dataSource, OutboxDialect dialect) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
      this.dialect = Objects.requireNonNull(dialect, "dialect must not be null");
    }

    /** The outbox's tables, as given to the producer and the relays. Default: the defaults. */
    public Builder tables(OutboxTables tables) {
      this.tables = Objects.requireNonNull(tables, "tables must not be null");
      return this;
    }

    /**
     * The clock that decides which messages are due, leased or waiting, and stamps pauses and
     * replays; use the relays' clock. Default: {@link Clock#systemUTC()}.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Builds the admin.
     *
     * @throws UnsupportedOperationException if the dialect has no admin operations
     */
    public OutboxAdmin build() {
      return new OutboxAdmin(this);
    }
  }
}
