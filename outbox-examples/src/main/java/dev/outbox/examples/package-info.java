/**
 * Examples built on the outbox, ready to copy or depend on: production-grade {@link
 * dev.outbox.Sender}s for Kafka ({@link dev.outbox.examples.kafka}) and RabbitMQ ({@link
 * dev.outbox.examples.rabbitmq}) and the runnable order-service demo ({@link
 * dev.outbox.examples.demo}). The senders report one outcome per record with {@link
 * dev.outbox.BatchOutcomes}.
 */
package dev.outbox.examples;
