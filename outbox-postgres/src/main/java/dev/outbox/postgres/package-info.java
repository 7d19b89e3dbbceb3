/**
 * PostgreSQL support: {@link dev.outbox.postgres.PostgresDialect}, the Flyway migrations under
 * {@code db/migration/outbox/postgresql}, and LISTEN/NOTIFY wake-up of relays.
 */
package dev.outbox.postgres;
