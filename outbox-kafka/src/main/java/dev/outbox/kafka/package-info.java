/**
 * {@link dev.outbox.kafka.KafkaSender}: delivers outbox messages to Kafka with an idempotent
 * producer and {@code acks=all}, one outcome per record; {@link dev.outbox.kafka.KafkaInbox} reads
 * the message id back on the consumer side. The module {@code outbox-kafka} depends on {@code
 * outbox-core} and {@code kafka-clients} only.
 */
package dev.outbox.kafka;
