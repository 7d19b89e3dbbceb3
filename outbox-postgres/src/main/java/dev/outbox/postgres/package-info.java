/**
 * PostgreSQL support: {@link dev.outbox.postgres.PostgresDialect}, the Flyway migrations under
 * {@code dev/outbox/migration/postgresql} (outside Flyway's default {@code db/migration}, so an
 * application's own Flyway never picks them up), and LISTEN/NOTIFY wake-up of relays.
 */
package dev.outbox.postgres;
