/**
 * {@link dev.outbox.rabbitmq.RabbitMqSender}: delivers outbox messages to RabbitMQ as persistent
 * messages with publisher confirms, one outcome per record; {@link
 * dev.outbox.rabbitmq.RabbitMqInbox} reads the message id back on the consumer side. The module
 * {@code outbox-rabbitmq} depends on {@code outbox-core} and {@code amqp-client} only.
 */
package dev.outbox.rabbitmq;
