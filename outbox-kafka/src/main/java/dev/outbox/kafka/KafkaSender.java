package dev.outbox.kafka;

import dev.outbox.BatchOutcomes;
import dev.outbox.OutboxRecord;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers outbox messages to Kafka. The message's topic (through a configurable mapping) and key
 * become the Kafka topic and key, so all messages of one key land in one partition, in order. The
 * producer is idempotent with {@code acks=all}: a record is reported sent only once every in-sync
 * replica has it, and the producer's own retries never duplicate or reorder it.
 *
 * <p>Each Kafka record carries the headers given at enlist time (with {@code traceparent} when a
 * span was current) and {@value #MESSAGE_ID_HEADER}, the outbox message id, on which consumers
 * deduplicate. A batch is handed to the producer at once (pipelined) and its future completes when
 * Kafka has answered for every record, with each record's own outcome: a retriable error or a
 * timeout means {@linkplain Outcome#retry retry}; an error that rejects the record itself (too
 * large, invalid topic) means {@linkplain Outcome#dead dead}.
 *
 * <pre>{@code
 * KafkaSender sender = KafkaSender.builder("broker1:9092,broker2:9092").name("orders").build();
 * OutboxRelay relay = OutboxRelay.builder(dataSource, new PostgresDialect(), sender).build();
 * relay.start();
 * ...
 * relay.close();
 * sender.close();
 * }</pre>
 *
 * <p>If the brokers go away the producer reconnects by itself; records it could not deliver within
 * the delivery timeout are retried by the relay after its backoff, so nothing is lost. Thread-safe:
 * several relays may share one sender. Close it after the relay.
 */
public final class KafkaSender implements Sender, AutoCloseable {
  /** The header holding the outbox message id (UTF-8 text of the UUID). */
  public static final String MESSAGE_ID_HEADER = "message-id";

  private static final Logger log = LoggerFactory.getLogger(KafkaSender.class);

  private final String name;
  private final Producer<String, byte[]> producer;
  private final Function<OutboxRecord, String> topicMapping;
  private final Duration closeTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean failing = new AtomicBoolean();

  KafkaSender(
      String name,
      Map<String, Object> producerConfig,
      Function<OutboxRecord, String> topicMapping,
      Duration closeTimeout) {
    this.name = name;
    this.topicMapping = topicMapping;
    this.closeTimeout = closeTimeout;
    this.producer = new KafkaProducer<>(producerConfig);
    log.info(
        "Kafka sender '{}' started: bootstrap.servers={}, acks=all, idempotence on,"
            + " delivery.timeout.ms={}",
        name,
        producerConfig.get("bootstrap.servers"),
        producerConfig.get("delivery.timeout.ms"));
  }

  /**
   * Starts configuring a sender for the Kafka cluster at {@code bootstrapServers} ({@code
   * host:port[,host:port...]}).
   */
  public static KafkaSenderBuilder builder(String bootstrapServers) {
    return new KafkaSenderBuilder(bootstrapServers);
  }

  /** The sender's name, used in the producer's client id and in logs. */
  public String name() {
    return name;
  }

  /**
   * Hands every record of {@code batch} to the producer and returns a stage that completes when
   * Kafka has answered for all of them, with one outcome per record. Blocks only as long as the
   * producer blocks to hand over a record ({@code max.block.ms}, for metadata or buffer space); a
   * topic whose metadata cannot be fetched fails the batch's other records for that topic at once
   * instead of blocking again for each.
   */
  @Override
  public CompletionStage<List<Outcome>> send(List<OutboxRecord> batch) {
    BatchOutcomes outcomes = new BatchOutcomes(batch);
    if (closed.get()) {
      outcomes.retryAllMissing(new IllegalStateException("Kafka sender '" + name + "' is closed"));
      return outcomes.future();
    }
    Map<String, Throwable> unavailableTopics = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      sendOne(outcomes, i, unavailableTopics);
    }
    outcomes.future().thenAccept(this::logFailures);
    return outcomes.future();
  }

  private void sendOne(BatchOutcomes outcomes, int index, Map<String, Throwable> unavailable) {
    OutboxRecord r = outcomes.record(index);
    String topic;
    try {
      topic = topicMapping.apply(r);
    } catch (RuntimeException e) {
      outcomes.retry(index, e);
      return;
    }
    Throwable knownFailure = unavailable.get(topic);
    if (knownFailure != null) {
      outcomes.retry(index, knownFailure);
      return;
    }
    Thread caller = Thread.currentThread();
    AtomicReference<Exception> failedAtOnce = new AtomicReference<>();
    try {
      producer.send(
          toKafka(topic, r),
          (metadata, error) -> {
            if (error != null && Thread.currentThread() == caller) {
              failedAtOnce.set(error); // the producer gave up before handing the record over
            }
            report(outcomes, index, error);
          });
    } catch (KafkaException | IllegalStateException e) {
      // Thrown, not passed to the callback: the producer is closed, or the thread was interrupted.
      report(outcomes, index, e);
    }
    if (KafkaErrors.isMetadataTimeout(failedAtOnce.get())) {
      unavailable.put(topic, failedAtOnce.get());
    }
  }

  private ProducerRecord<String, byte[]> toKafka(String topic, OutboxRecord r) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(MESSAGE_ID_HEADER, r.messageId().toString().getBytes(StandardCharsets.UTF_8));
    r.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
    return new ProducerRecord<>(topic, null, r.key(), r.payload(), headers);
  }

  private void report(BatchOutcomes outcomes, int index, Exception error) {
    if (error == null) {
      outcomes.sent(index);
    } else if (KafkaErrors.isPermanent(error)) {
      outcomes.dead(index, "Kafka rejected the record permanently: " + error);
    } else if (KafkaErrors.isUnavailable(error)) {
      outcomes.unavailable(index, error);
    } else {
      outcomes.retry(index, error);
    }
  }

  /**
   * Logs the first batch with transient failures at WARN and the following ones at DEBUG until a
   * batch goes through, so an outage is reported once, not once per batch; permanent rejections are
   * always logged.
   */
  private void logFailures(List<Outcome> outcomes) {
    Outcome firstRetry = first(outcomes, Outcome.Status.RETRY);
    if (firstRetry == null && failing.compareAndSet(true, false)) {
      log.info("Kafka sender '{}': delivering again", name);
    } else if (firstRetry != null && failing.compareAndSet(false, true)) {
      log.warn(
          "Kafka sender '{}': records fail transiently and are retried after the relay's backoff"
              + " (first: {}). If this persists, check that the brokers are reachable and the"
              + " topics exist",
          name,
          firstRetry.reason());
    } else if (firstRetry != null) {
      log.debug("Kafka sender '{}': still failing: {}", name, firstRetry.reason());
    }
    Outcome firstDead = first(outcomes, Outcome.Status.DEAD);
    if (firstDead != null) {
      log.warn(
          "Kafka sender '{}': records were rejected permanently and are dead-lettered (first: {})",
          name,
          firstDead.reason());
    }
  }

  private static Outcome first(List<Outcome> outcomes, Outcome.Status status) {
    for (Outcome o : outcomes) {
      if (o.status() == status) {
        return o;
      }
    }
    return null;
  }

  /**
   * Stops accepting batches, lets the producer finish the records it holds for up to the close
   * timeout (their outcomes are still reported; records it could not finish are reported as retry)
   * and closes it. Idempotent. Close the relay first.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    producer.close(closeTimeout);
    log.info("Kafka sender '{}' closed", name);
  }

  @Override
  public String toString() {
    return "KafkaSender{" + name + '}';
  }
}
