package dev.outbox.testkit;

import dev.outbox.JdbcOutbox;
import dev.outbox.OnDuplicate;
import dev.outbox.Outbox;
import dev.outbox.OutboxMessage;
import dev.outbox.PayloadCodec;
import dev.outbox.spi.DedupRecord;
import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.DedupTable;
import dev.outbox.spi.HeaderCodec;
import dev.outbox.spi.NewRow;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.OpenTelemetry;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double for an application's own unit tests: an {@code Outbox<Connection>} that records
 * what the code under test enlists instead of writing it, so the test can assert which messages a
 * service enlisted, in which order and in which transaction.
 *
 * <pre>{@code
 * RecordingOutbox outbox = RecordingOutbox.create();
 * OrderService service = new OrderService(dataSource, outbox);
 *
 * service.placeOrder(order);
 *
 * assertThat(outbox.enlisted("orders"))
 *     .singleElement()
 *     .satisfies(m -> assertThat(m.key()).isEqualTo(order.customer()));
 * }</pre>
 *
 * <p>It validates exactly as {@link JdbcOutbox} does, because it is one: a {@code JdbcOutbox} whose
 * database write is replaced by recording. So a message over {@code maxPayloadBytes} is refused
 * with {@link IllegalArgumentException}, a connection in auto-commit mode with {@link
 * IllegalStateException}, and a refused call records nothing; message ids are assigned and the
 * current span's {@code traceparent} is added to the headers as in production. The connection is
 * only asked for its auto-commit mode: nothing is written through it.
 *
 * <p>A message is recorded when it is enlisted, whether or not the caller's transaction later
 * commits: assert the transaction's outcome (your business rows) separately, or use the conformance
 * contracts and a real database for that. Thread-safe.
 */
public final class RecordingOutbox implements Outbox<Connection> {
  private final List<Enlisted> enlisted = new CopyOnWriteArrayList<>();
  private final Map<String, DedupRecord> idempotencyKeys = new ConcurrentHashMap<>();
  private final JdbcOutbox outbox;

  private RecordingOutbox(Builder b) {
    JdbcOutbox.Builder jdbc =
        JdbcOutbox.builder(recordingDialect())
            .maxPayloadBytes(b.maxPayloadBytes)
            .clock(b.clock)
            .onDuplicate(b.onDuplicate)
            .openTelemetry(OpenTelemetry.noop());
    if (b.payloadCodec != null) {
      jdbc.payloadCodec(b.payloadCodec);
    }
    this.outbox = jdbc.build();
  }

  /** A recording outbox with {@link JdbcOutbox}'s defaults. */
  public static RecordingOutbox create() {
    return builder().build();
  }

  /** Starts configuring a recording outbox. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public UUID add(Connection tx, OutboxMessage message) {
    return outbox.add(tx, message);
  }

  @Override
  public List<UUID> addAll(Connection tx, Collection<OutboxMessage> messages) {
    return outbox.addAll(tx, messages);
  }

  /** The codec given to {@link Builder#payloadCodec}, if any. */
  @Override
  public Optional<PayloadCodec<Object>> payloadCodec() {
    return outbox.payloadCodec();
  }

  /** Every message enlisted so far, in enlist order. */
  public List<Enlisted> enlisted() {
    return List.copyOf(enlisted);
  }

  /** The messages enlisted so far for {@code topic}, in enlist order. */
  public List<Enlisted> enlisted(String topic) {
    return enlisted.stream().filter(m -> m.topic().equals(topic)).toList();
  }

  /** Forgets everything recorded so far, idempotency keys included. */
  public void clear() {
    enlisted.clear();
    idempotencyKeys.clear();
  }

  /**
   * The dialect of the wrapped {@link JdbcOutbox}: its insert records the rows, and nothing else of
   * a database is there. A proxy rather than a class, so that it follows the SPI as it grows.
   */
  private OutboxDialect recordingDialect() {
    return (OutboxDialect)
        Proxy.newProxyInstance(
            OutboxDialect.class.getClassLoader(),
            new Class<?>[] {OutboxDialect.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "insert" -> {
                  record((Connection) args[0], castRows(args[2]));
                  return null;
                }
                case "name" -> {
                  return "recording";
                }
                case "dedup" -> {
                  return idempotency();
                }
                case "isTransient" -> {
                  return false;
                }
                case "toString" -> {
                  return "RecordingOutbox's dialect";
                }
                case "hashCode" -> {
                  return System.identityHashCode(proxy);
                }
                case "equals" -> {
                  return proxy == args[0];
                }
                default ->
                    throw new UnsupportedOperationException(
                        "a RecordingOutbox only records enlisted messages; it has no database for "
                            + method.getName());
              }
            });
  }

  /**
   * Idempotency keys remembered in memory until {@link #clear()}: a second message with a key is a
   * duplicate whenever it comes (no window) and whether or not the first one's transaction
   * committed, since nothing here knows. Expiry removes nothing.
   */
  private DedupSupport idempotency() {
    return new DedupSupport() {
      @Override
      public DedupRecord recordOnce(
          Connection c,
          DedupTable table,
          String scope,
          String key,
          UUID recordId,
          Instant now,
          Duration window) {
        DedupRecord first =
            idempotencyKeys.putIfAbsent(scope + '\n' + key, new DedupRecord(recordId, now));
        return first;
      }

      @Override
      public int expire(Connection c, DedupTable table, Instant now) {
        return 0;
      }
    };
  }

  private void record(Connection tx, List<NewRow> rows) {
    for (NewRow r : rows) {
      enlisted.add(
          new Enlisted(
              r.messageId(),
              r.topic(),
              r.key(),
              r.payload().clone(),
              HeaderCodec.decode(r.headersJson()),
              r.availableAt(),
              tx));
    }
  }

  @SuppressWarnings("unchecked")
  private static List<NewRow> castRows(Object rows) {
    return (List<NewRow>) rows;
  }

  /**
   * One enlisted message, as the real outbox would have written it.
   *
   * @param messageId the message id {@code add} returned
   * @param topic the topic
   * @param key the ordering key, or null
   * @param payload the payload bytes (a copy)
   * @param headers the headers, with {@code traceparent} when a span was current at enlist
   * @param availableAt when the message would have become due (the outbox's clock)
   * @param connection the connection it was enlisted through: the caller's transaction
   */
  public record Enlisted(
      UUID messageId,
      String topic,
      String key,
      byte[] payload,
      Map<String, String> headers,
      Instant availableAt,
      Connection connection) {

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /** Options of a {@link RecordingOutbox}; each defaults to {@link JdbcOutbox}'s. */
  public static final class Builder {
    private int maxPayloadBytes = JdbcOutbox.DEFAULT_MAX_PAYLOAD_BYTES;
    private Clock clock = Clock.systemUTC();
    private PayloadCodec<Object> payloadCodec;
    private OnDuplicate onDuplicate = OnDuplicate.RETURN_FIRST;

    private Builder() {}

    /**
     * The largest payload accepted, in bytes, as {@link JdbcOutbox.Builder#maxPayloadBytes}: set it
     * to your production outbox's value. Default: {@value JdbcOutbox#DEFAULT_MAX_PAYLOAD_BYTES}.
     */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /** The clock that stamps {@link Enlisted#availableAt}. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * What a second message with a recorded idempotency key gets, as {@link
     * JdbcOutbox.Builder#onDuplicate}: set it to your production outbox's. Keys are remembered
     * until {@link RecordingOutbox#clear()}, with no window. Default: {@link
     * OnDuplicate#RETURN_FIRST}.
     */
    public Builder onDuplicate(OnDuplicate onDuplicate) {
      this.onDuplicate = Objects.requireNonNull(onDuplicate, "onDuplicate must not be null");
      return this;
    }

    /**
     * The codec that {@code add(connection, topic, key, value)} encodes values with, as {@link
     * JdbcOutbox.Builder#payloadCodec}: set it to your production outbox's. Default: none.
     */
    public Builder payloadCodec(PayloadCodec<Object> codec) {
      this.payloadCodec = Objects.requireNonNull(codec, "codec must not be null");
      return this;
    }

    /**
     * Returns the outbox.
     *
     * @throws IllegalArgumentException if {@code maxPayloadBytes} is out of range, as {@link
     *     JdbcOutbox.Builder#build} does
     */
    public RecordingOutbox build() {
      return new RecordingOutbox(this);
    }
  }
}
