/**
 * Examples built on the outbox, ready to copy or depend on: production-grade {@link
 * dev.outbox.Sender}s for Kafka ({@link dev.outbox.examples.kafka}) and RabbitMQ ({@link
 * dev.outbox.examples.rabbitmq}), the runnable order-service demo ({@link
 * dev.outbox.examples.demo}), and {@link dev.outbox.examples.BatchOutcomes}, which any asynchronous
 * sender can use to report one outcome per record.
 */
package dev.outbox.examples;
