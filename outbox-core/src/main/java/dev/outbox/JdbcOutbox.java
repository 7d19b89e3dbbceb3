package dev.outbox;

import dev.outbox.internal.Checks;
import dev.outbox.internal.RelayMetrics;
import dev.outbox.internal.TraceHeaders;
import dev.outbox.spi.DedupRecord;
import dev.outbox.spi.DedupRing;
import dev.outbox.spi.DedupTable;
import dev.outbox.spi.HeaderCodec;
import dev.outbox.spi.NewRow;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@link Outbox} for plain JDBC: enlists messages through the caller's {@link Connection},
 * inside the caller's transaction. Thread-safe; build one and share it.
 *
 * <pre>{@code
 * Outbox<Connection> outbox = JdbcOutbox.builder(new PostgresDialect()).build();
 * try (Connection c = dataSource.getConnection()) {
 *   c.setAutoCommit(false);
 *   insertOrder(c, order);
 *   outbox.add(c, OutboxMessage.builder("orders").key(order.id()).payload(json).build());
 *   c.commit();
 * }
 * }</pre>
 *
 * <p>Each message gets a random {@link UUID} message id, and the W3C {@code traceparent} of the
 * span current at enlist time, if any, as a header, so the relay's send span can link to it.
 *
 * <p>A message with an {@linkplain OutboxMessage.Builder#idempotencyKey idempotency key} is written
 * only if no message with the same key was enlisted into this table within the {@linkplain
 * Builder#idempotencyWindow idempotency window}; the key is recorded in the caller's transaction,
 * in {@link OutboxTables#idempotencyTable()}, so it is seen by others only once that commits, and
 * never if it rolls back. A {@linkplain OutboxMessage.Builder#delay scheduled} message is written
 * due at its time, computed from this outbox's clock.
 */
public final class JdbcOutbox implements Outbox<Connection> {

  /** Default largest payload: 1 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

  /** Default {@link Builder#idempotencyWindow}: 24 hours. */
  public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofHours(24);

  /** The scope of the idempotency keys in the idempotency table: one table, one scope. */
  static final String IDEMPOTENCY_SCOPE = "enlist";

  /** Largest value accepted for {@link Builder#maxPayloadBytes(int)}: 256 MiB. */
  public static final int MAX_PAYLOAD_BYTES_LIMIT = 256 * 1024 * 1024;

  private final OutboxDialect dialect;
  private final OutboxTables tables;
  private final int maxPayloadBytes;
  private final Clock clock;
  private final LongCounter enlisted;
  private final LongCounter duplicates;
  private final Duration idempotencyWindow;
  private final OnDuplicate onDuplicate;
  private final DedupTable idempotencyTable;
  private final PayloadCodec<Object> payloadCodec;

  private JdbcOutbox(Builder b) {
    this.dialect = b.dialect;
    this.tables = b.tables;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.clock = b.clock;
    this.payloadCodec = b.payloadCodec;
    this.enlisted =
        b.openTelemetry
            .getMeter(RelayMetrics.SCOPE)
            .counterBuilder("outbox.messages.enlisted")
            .setDescription(
                "Messages written into an outbox transaction, counted at enlist time (including"
                    + " transactions that later roll back)")
            .setUnit("{message}")
            .build();
    this.duplicates =
        b.openTelemetry
            .getMeter(RelayMetrics.SCOPE)
            .counterBuilder("outbox.messages.duplicates")
            .setDescription(
                "Messages not written because their idempotency key was enlisted before, within"
                    + " the idempotency window")
            .setUnit("{message}")
            .build();
    this.idempotencyWindow = b.idempotencyWindow;
    this.onDuplicate = b.onDuplicate;
    this.idempotencyTable = new DedupTable(tables.schema(), tables.idempotencyTable());
  }

  /** Starts configuring an outbox for {@code dialect}'s database. */
  public static Builder builder(OutboxDialect dialect) {
    return new Builder(dialect);
  }

  @Override
  public UUID add(Connection tx, OutboxMessage message) {
    return addAll(tx, List.of(Objects.requireNonNull(message, "message"))).get(0);
  }

  @Override
  public List<UUID> addAll(Connection tx, Collection<OutboxMessage> messages) {
    Objects.requireNonNull(tx, "connection");
    Objects.requireNonNull(messages, "messages");
    if (messages.isEmpty()) {
      return List.of();
    }
    messages.forEach(this::checkPayload);
    requireTransaction(tx);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<NewRow> rows = toRows(messages, now);
    List<UUID> ids = new ArrayList<>(rows.size());
    List<NewRow> fresh = withoutDuplicates(tx, messages, rows, now, ids);
    try {
      if (!fresh.isEmpty()) {
        dialect.insert(tx, tables, fresh);
      }
    } catch (SQLException e) {
      throw new EnlistFailedException(
          "could not write "
              + rows.size()
              + " message(s) into outbox table "
              + tables.table()
              + "; roll the transaction back: "
              + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
    countEnlisted(fresh);
    return ids;
  }

  /**
   * Records the idempotency keys of {@code messages} and returns the rows to write: those that are
   * not duplicates. Fills {@code ids} with each message's id: its row's, or for a duplicate the
   * first message's.
   *
   * @throws DuplicateMessageException for a duplicate when duplicates are refused
   */
  private List<NewRow> withoutDuplicates(
      Connection tx,
      Collection<OutboxMessage> messages,
      List<NewRow> rows,
      Instant now,
      List<UUID> ids) {
    List<NewRow> fresh = new ArrayList<>(rows.size());
    int i = 0;
    for (OutboxMessage m : messages) {
      NewRow row = rows.get(i++);
      String key = m.idempotencyKey();
      UUID first = key == null ? null : firstWithKey(tx, key, row.messageId(), now);
      if (first == null) {
        ids.add(row.messageId());
        fresh.add(row);
        continue;
      }
      duplicates.add(1, Attributes.of(RelayMetrics.DESTINATION, m.topic()));
      if (onDuplicate == OnDuplicate.REFUSE) {
        throw new DuplicateMessageException(key, first);
      }
      ids.add(first);
    }
    return fresh;
  }

  /**
   * Records {@code key} for {@code messageId} in the idempotency table, within the caller's
   * transaction; returns null, or the id of the message enlisted with the key before.
   */
  private UUID firstWithKey(Connection tx, String key, UUID messageId, Instant now) {
    try {
      DedupRecord first =
          dialect
              .dedup()
              .recordOnce(
                  tx, idempotencyTable, IDEMPOTENCY_SCOPE, key, messageId, now, idempotencyWindow);
      return first == null ? null : first.recordId();
    } catch (SQLException e) {
      throw new EnlistFailedException(
          "could not record idempotency key '"
              + key
              + "' in "
              + idempotencyTable
              + "; roll the transaction back: "
              + e.getMessage(),
          e,
          dialect.isTransient(e));
    }
  }

  private void checkPayload(OutboxMessage m) {
    Objects.requireNonNull(m, "message must not be null");
    if (m.payloadSize() > maxPayloadBytes) {
      throw new IllegalArgumentException(
          "payload of the message for topic '"
              + m.topic()
              + "' is "
              + m.payloadSize()
              + " bytes; the limit (maxPayloadBytes) is "
              + maxPayloadBytes);
    }
  }

  private static void requireTransaction(Connection tx) {
    boolean autoCommit;
    try {
      autoCommit = tx.getAutoCommit();
    } catch (SQLException e) {
      throw new EnlistFailedException(
          "could not read the connection's auto-commit mode: " + e.getMessage(), e, true);
    }
    if (autoCommit) {
      throw new IllegalStateException(
          "the connection is in auto-commit mode, so the message would not be atomic with the"
              + " business write; call setAutoCommit(false) and commit after enlisting");
    }
  }

  /**
   * The rows of {@code messages}, stamped {@code now}: databases store microseconds, and truncating
   * (never rounding up) keeps a new message due at the instant it was stamped with.
   */
  private List<NewRow> toRows(Collection<OutboxMessage> messages, Instant now) {
    Map<String, String> trace = TraceHeaders.current();
    List<NewRow> rows = new ArrayList<>(messages.size());
    for (OutboxMessage m : messages) {
      String headers = HeaderCodec.encode(TraceHeaders.with(m.headers(), trace));
      Instant due = ceilMicros(m.dueAt(now));
      rows.add(
          new NewRow(
              UUID.randomUUID(),
              m.topic(),
              m.key(),
              m.payloadUnsafe(),
              headers,
              due,
              due.isAfter(now) ? due : null));
    }
    return rows;
  }

  /** Rounds up to the microsecond, so that a scheduled message is never due before its time. */
  private static Instant ceilMicros(Instant t) {
    Instant down = t.truncatedTo(ChronoUnit.MICROS);
    return down.equals(t) ? t : down.plus(1, ChronoUnit.MICROS);
  }

  private void countEnlisted(List<NewRow> written) {
    for (NewRow r : written) {
      enlisted.add(1, Attributes.of(RelayMetrics.DESTINATION, r.topic()));
    }
  }

  /** The tables this outbox writes to. */
  public OutboxTables tables() {
    return tables;
  }

  /** The codec configured with {@link Builder#payloadCodec}, if any. */
  @Override
  public Optional<PayloadCodec<Object>> payloadCodec() {
    return Optional.ofNullable(payloadCodec);
  }

  /** Configures a {@link JdbcOutbox}; not thread-safe. */
  public static final class Builder {
    private final OutboxDialect dialect;
    private OutboxTables tables = OutboxTables.defaults();
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private OpenTelemetry openTelemetry;
    private Clock clock = Clock.systemUTC();
    private PayloadCodec<Object> payloadCodec;
    private Duration idempotencyWindow = DEFAULT_IDEMPOTENCY_WINDOW;
    private OnDuplicate onDuplicate = OnDuplicate.RETURN_FIRST;

    private Builder(OutboxDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    /**
     * The outbox's tables: the schema (MySQL: database) and the message table, after which the
     * dead-letter and history tables are named. Give producers, relays, partition maintenance and
     * {@link OutboxMigrations} the same value. Default: {@link OutboxTables#defaults()}, table
     * {@value OutboxTables#DEFAULT_TABLE} in the connection's current schema.
     *
     * @throws NullPointerException if {@code tables} is null
     */
    public Builder tables(OutboxTables tables) {
      this.tables = Objects.requireNonNull(tables, "tables must not be null");
      return this;
    }

    /**
     * The largest payload accepted, in bytes, from 1 to {@value #MAX_PAYLOAD_BYTES_LIMIT}; a larger
     * message is refused with {@link IllegalArgumentException} before anything is written. Default:
     * {@value #DEFAULT_MAX_PAYLOAD_BYTES} (1 MiB).
     */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /**
     * Where the {@code outbox.messages.enlisted} counter is recorded. Default: {@link
     * GlobalOpenTelemetry}.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * The clock that stamps when a new message becomes due; the relay compares it with its own
     * clock. Default: {@link Clock#systemUTC()}.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The codec that {@link Outbox#add(Object, String, String, Object) add(connection, topic, key,
     * value)} encodes values with, such as {@code JacksonPayloadCodec} from {@code outbox-jackson}
     * for JSON. Messages built with a byte or text payload are stored as given. Default: none, and
     * that {@code add} is refused with {@link IllegalStateException}.
     *
     * @throws NullPointerException if {@code codec} is null
     */
    public Builder payloadCodec(PayloadCodec<Object> codec) {
      this.payloadCodec = Objects.requireNonNull(codec, "codec must not be null");
      return this;
    }

    /**
     * How long an idempotency key is remembered: a second message with the same key (see {@link
     * OutboxMessage.Builder#idempotencyKey}) enlisted into this table at least this long, and at
     * most twice as long, after the first is written like any other. Between 1 second and 366 days,
     * in whole milliseconds. Give every outbox writing to one table the same window. Default: 24
     * hours.
     *
     * <p>The keys live in the table {@link OutboxTables#idempotencyTable()}, four partitions that
     * take turns, each emptied by {@link PartitionMaintenance} once every key in it has expired.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder idempotencyWindow(Duration idempotencyWindow) {
      this.idempotencyWindow = DedupRing.checkWindow(idempotencyWindow);
      return this;
    }

    /**
     * What an enlist does with a message whose idempotency key was seen within the window: {@link
     * OnDuplicate#RETURN_FIRST} (write nothing, return the first message's id) or {@link
     * OnDuplicate#REFUSE} (write nothing, throw {@link DuplicateMessageException}). Either way the
     * check is atomic with the caller's transaction: of two concurrent enlists with one key, the
     * second waits for the first to commit or roll back, and a rolled-back key was never seen.
     * Default: {@link OnDuplicate#RETURN_FIRST}.
     */
    public Builder onDuplicate(OnDuplicate onDuplicate) {
      this.onDuplicate = Objects.requireNonNull(onDuplicate, "onDuplicate must not be null");
      return this;
    }

    /**
     * Returns the outbox.
     *
     * @throws IllegalArgumentException if {@code maxPayloadBytes} is out of range
     */
    public JdbcOutbox build() {
      Checks.inRange("maxPayloadBytes", maxPayloadBytes, 1, MAX_PAYLOAD_BYTES_LIMIT);
      if (openTelemetry == null) {
        openTelemetry = GlobalOpenTelemetry.get();
      }
      return new JdbcOutbox(this);
    }
  }
}
