/**
 * The service-provider interface a database module implements: one {@link
 * dev.outbox.spi.OutboxDialect} per database, holding all of that database's SQL. Applications only
 * construct a dialect and pass it to the builders in {@code dev.outbox}.
 */
package dev.outbox.spi;
