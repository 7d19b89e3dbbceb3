/**
 * An order service on Spring Boot with {@code outbox-spring-boot-starter}: {@link
 * dev.outbox.examples.spring.OrderService#place} writes an order and enlists its event in one
 * {@code @Transactional} method; the starter's relay delivers it through {@link
 * dev.outbox.examples.spring.LoggingSender}; Actuator and the console show the outbox.
 */
package dev.outbox.examples.spring;
