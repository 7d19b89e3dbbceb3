package dev.outbox.cloudevents;

import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.net.URI;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A {@link Sender} that hands another sender each record as a <a
 * href="https://github.com/cloudevents/spec">CloudEvent</a> (specification 1.0) in <em>binary
 * content mode</em>: the payload is the event's data, as stored, and the event's attributes travel
 * in headers, which the shipped senders turn into Kafka record headers or AMQP message headers.
 *
 * <pre>{@code
 * Sender sender = CloudEventsSender.wrap(KafkaSender.builder(bootstrap).build())
 *     .source(URI.create("/orders-service"))
 *     .typeFrom(record -> "com.example." + record.topic())     // default: the topic
 *     .build();
 * OutboxRelay relay = OutboxRelay.builder(dataSource, new PostgresDialect(), sender).build();
 * }</pre>
 *
 * <p>Each record gets these headers, named with the {@linkplain Builder#prefix prefix} of the
 * protocol binding ({@link #KAFKA} {@code ce_}, {@link #AMQP} {@code cloudEvents_}):
 *
 * <table>
 *   <caption>Attributes and where they come from</caption>
 *   <tr><th>attribute</th><th>value</th></tr>
 *   <tr><td>{@code specversion}</td><td>{@value #SPEC_VERSION}</td></tr>
 *   <tr><td>{@code id}</td><td>the {@linkplain OutboxRecord#messageId() message id}: the same on
 *       every attempt, so consumers deduplicate on it</td></tr>
 *   <tr><td>{@code source}</td><td>the configured {@linkplain Builder#source source}</td></tr>
 *   <tr><td>{@code type}</td><td>{@linkplain Builder#typeFrom from the record}; default: the
 *       topic</td></tr>
 *   <tr><td>{@code subject}</td><td>the key, when there is one</td></tr>
 *   <tr><td>{@code time}</td><td>when the message was enlisted ({@linkplain
 *       OutboxRecord#createdAt() createdAt}), RFC 3339 in UTC</td></tr>
 * </table>
 *
 * <p>{@code datacontenttype} is, in binary mode under both bindings, not a prefixed header but the
 * protocol's own content type: the {@code content-type} header that a {@link
 * dev.outbox.PayloadCodec} (or the caller) set at enlist time, which is handed on unchanged (the
 * Kafka sender writes it as the {@code content-type} record header; the RabbitMQ sender as the
 * message's {@code content-type} property). Every header the message already has is handed on
 * unchanged, including one named like an attribute: a message enlisted with a {@code ce_type}
 * header keeps its own type.
 *
 * <p>The mapping happens when the relay sends, so what the outbox stores stays the plain message
 * and can be sent to other destinations or replayed as it was. If {@code typeFrom} throws or
 * returns a blank type for a record, that record is reported as {@linkplain Outcome#retry retry}
 * with the reason (and, after {@code maxAttempts}, dead-lettered), as are its key's later records
 * in the batch; the other records go on. Everything else is the wrapped sender's: its outcomes,
 * {@link #acceptsRuns()}, and {@link #close()}. Thread-safe if the wrapped sender is.
 */
public final class CloudEventsSender implements Sender, AutoCloseable {

  /** The attribute-name prefix of the Kafka protocol binding: {@value}. */
  public static final String KAFKA = "ce_";

  /**
   * The attribute-name prefix of the AMQP protocol binding: {@value}, which the binding prefers
   * since it is a valid JMS property name; {@code "cloudEvents:"}, the older form, can be given to
   * {@link Builder#prefix} for consumers that only read that.
   */
  public static final String AMQP = "cloudEvents_";

  /** The CloudEvents specification version written: {@value}. */
  public static final String SPEC_VERSION = "1.0";

  private final Sender delegate;
  private final String prefix;
  private final String source;
  private final Function<OutboxRecord, String> type;

  private CloudEventsSender(Builder b) {
    this.delegate = b.delegate;
    this.prefix = b.prefix;
    this.source = b.source.toString();
    this.type = b.type;
  }

  /**
   * Starts wrapping {@code delegate}.
   *
   * @throws NullPointerException if {@code delegate} is null
   */
  public static Builder wrap(Sender delegate) {
    return new Builder(delegate);
  }

  /**
   * Hands the wrapped sender the batch's records with CloudEvents headers, in the same order and
   * with the same ids, so its outcomes are the batch's; adds a retry for each record that could not
   * be mapped.
   */
  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    List<OutboxRecord> events = new ArrayList<>(batch.size());
    List<Outcome> unmapped = new ArrayList<>();
    Set<String> heldKeys = new HashSet<>();
    for (OutboxRecord r : batch) {
      if (r.key() != null && heldKeys.contains(r.key())) {
        unmapped.add(
            Outcome.retry(
                r,
                new IllegalStateException(
                    "held back behind an earlier record of key '"
                        + r.key()
                        + "' that could not be mapped to a CloudEvent")));
        continue;
      }
      try {
        events.add(toEvent(r));
      } catch (RuntimeException e) {
        unmapped.add(Outcome.retry(r, e));
        if (r.key() != null) {
          heldKeys.add(r.key());
        }
      }
    }
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(unmapped);
    }
    CompletionStage<List<Outcome>> sending = delegate.send(events);
    if (unmapped.isEmpty()) {
      return sending;
    }
    return sending.thenApply(
        outcomes -> {
          List<Outcome> all = new ArrayList<>(outcomes);
          all.addAll(unmapped);
          return all;
        });
  }

  /**
   * {@code record} as the wrapped sender receives it: the same record with the CloudEvents
   * attributes added to its headers.
   *
   * @throws IllegalStateException if {@code typeFrom} threw, or returned a null or blank type, for
   *     it
   */
  public OutboxRecord toEvent(OutboxRecord record) {
    String eventType;
    try {
      eventType = type.apply(record);
    } catch (RuntimeException e) {
      throw new IllegalStateException("typeFrom threw for " + record + ": " + e, e);
    }
    if (eventType == null || eventType.isBlank()) {
      throw new IllegalStateException(
          "typeFrom returned "
              + (eventType == null ? "null" : "a blank type")
              + " for "
              + record
              + "; a CloudEvent needs a type");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(prefix + "specversion", SPEC_VERSION);
    headers.put(prefix + "id", record.messageId().toString());
    headers.put(prefix + "source", source);
    headers.put(prefix + "type", eventType);
    if (record.key() != null) {
      headers.put(prefix + "subject", record.key());
    }
    headers.put(prefix + "time", DateTimeFormatter.ISO_INSTANT.format(record.createdAt()));
    headers.putAll(record.headers());
    return new OutboxRecord(
        record.id(),
        record.messageId(),
        record.topic(),
        record.key(),
        record.payload(),
        headers,
        record.createdAt(),
        record.attempt());
  }

  /** The wrapped sender's: this one hands every record on, in order. */
  @Override
  public boolean acceptsRuns() {
    return delegate.acceptsRuns();
  }

  /**
   * Closes the wrapped sender if it is {@link AutoCloseable} (as the Kafka and RabbitMQ senders
   * are); otherwise does nothing. Close the relay first.
   *
   * @throws IllegalStateException if closing it threw a checked exception (the cause)
   */
  @Override
  public void close() {
    if (delegate instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("closing " + delegate + " failed: " + e.getMessage(), e);
      }
    }
  }

  /** The wrapped sender. */
  public Sender delegate() {
    return delegate;
  }

  @Override
  public String toString() {
    return "CloudEventsSender[" + prefix + ", source=" + source + ", " + delegate + "]";
  }

  /** Configures a {@link CloudEventsSender}; not thread-safe. */
  public static final class Builder {
    private final Sender delegate;
    private String prefix = KAFKA;
    private URI source;
    private Function<OutboxRecord, String> type = OutboxRecord::topic;

    private Builder(Sender delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    /**
     * The event's {@code source} attribute: a URI reference that names the producing context, such
     * as {@code /orders-service} or {@code https://example.com/orders}. Required.
     *
     * @throws NullPointerException if {@code source} is null
     * @throws IllegalArgumentException if {@code source} is empty
     */
    public Builder source(URI source) {
      Objects.requireNonNull(source, "source must not be null");
      if (source.toString().isEmpty()) {
        throw new IllegalArgumentException("source must not be an empty URI reference");
      }
      this.source = source;
      return this;
    }

    /**
     * How the event's {@code type} attribute is found for a record, such as {@code r ->
     * "com.example.order." + r.headers().get("type")}; called once per record and send, on the
     * relay's threads. Default: the record's topic.
     */
    public Builder typeFrom(Function<OutboxRecord, String> type) {
      this.type = Objects.requireNonNull(type, "typeFrom must not be null");
      return this;
    }

    /**
     * The prefix of the attribute headers, per protocol binding: {@link #KAFKA} ({@value #KAFKA},
     * the default) for Kafka, {@link #AMQP} ({@value #AMQP}) for RabbitMQ and other AMQP brokers.
     *
     * @throws IllegalArgumentException if {@code prefix} is null or blank, or holds whitespace or
     *     NUL
     */
    public Builder prefix(String prefix) {
      if (prefix == null || prefix.isBlank()) {
        throw new IllegalArgumentException("prefix must not be null or blank");
      }
      if (prefix.chars().anyMatch(c -> c == 0 || Character.isWhitespace(c))) {
        throw new IllegalArgumentException(
            "prefix must not hold whitespace or NUL: '" + prefix + "'");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Returns the sender.
     *
     * @throws IllegalStateException if no {@link #source} was given
     */
    public CloudEventsSender build() {
      if (source == null) {
        throw new IllegalStateException(
            "a CloudEvent needs a source: call source(URI) naming the producing service,"
                + " e.g. source(URI.create(\"/orders-service\"))");
      }
      return new CloudEventsSender(this);
    }
  }
}
