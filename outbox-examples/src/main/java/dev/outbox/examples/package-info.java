/**
 * Examples built on the outbox: the runnable order-service demo ({@link dev.outbox.examples.demo})
 * and the benchmark harness ({@link dev.outbox.examples.bench}). They deliver through the shipped
 * senders, {@code dev.outbox.kafka.KafkaSender} and {@code dev.outbox.rabbitmq.RabbitMqSender}.
 */
package dev.outbox.examples;
