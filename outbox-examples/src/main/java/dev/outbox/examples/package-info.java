/**
 * Examples built on the outbox: the runnable order-service demo ({@link dev.outbox.examples.demo}),
 * the README's Quick start ({@link dev.outbox.examples.quickstart}) and a service whose test uses
 * the test kit ({@link dev.outbox.examples.service}). The demo delivers through the shipped
 * senders, {@code dev.outbox.kafka.KafkaSender} and {@code dev.outbox.rabbitmq.RabbitMqSender}. The
 * benchmark harness is the module {@code outbox-bench}.
 */
package dev.outbox.examples;
