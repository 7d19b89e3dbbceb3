package dev.outbox;

import dev.outbox.internal.Checks;
import dev.outbox.internal.RelayMetrics;
import dev.outbox.internal.TraceHeaders;
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
 */
public final class JdbcOutbox implements Outbox<Connection> {

  /** Default largest payload: 1 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

  /** Largest value accepted for {@link Builder#maxPayloadBytes(int)}: 256 MiB. */
  public static final int MAX_PAYLOAD_BYTES_LIMIT = 256 * 1024 * 1024;

  private final OutboxDialect dialect;
  private final OutboxTables tables;
  private final int maxPayloadBytes;
  private final Clock clock;
  private final LongCounter enlisted;
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
    List<NewRow> rows = toRows(messages);
    try {
      dialect.insert(tx, tables, rows);
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
    countEnlisted(messages);
    return rows.stream().map(NewRow::messageId).toList();
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

  private List<NewRow> toRows(Collection<OutboxMessage> messages) {
    // Databases store microseconds; truncating (never rounding up) keeps a new message due at the
    // instant it was stamped with.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
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

  private void countEnlisted(Collection<OutboxMessage> messages) {
    for (OutboxMessage m : messages) {
      enlisted.add(1, Attributes.of(RelayMetrics.DESTINATION, m.topic()));
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
