/**
 * {@link dev.outbox.examples.rabbitmq.RabbitMqSender}: delivers outbox messages to RabbitMQ as
 * persistent messages with publisher confirms, one outcome per record.
 */
package dev.outbox.examples.rabbitmq;
