/**
 * {@link dev.outbox.examples.kafka.KafkaSender}: delivers outbox messages to Kafka with an
 * idempotent producer and {@code acks=all}, one outcome per record.
 */
package dev.outbox.examples.kafka;
