/**
 * The order-service demo ({@link dev.outbox.examples.demo.OrderDemo}): orders and their {@code
 * order.created} messages written in one transaction, delivered by a relay to the console, RabbitMQ
 * or Kafka.
 */
package dev.outbox.examples.demo;
