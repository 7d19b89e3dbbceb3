/**
 * The API applications call: enlist messages with {@link dev.outbox.JdbcOutbox} inside their own
 * JDBC transaction, deliver them with an {@link dev.outbox.OutboxRelay} through a {@link
 * dev.outbox.Sender}, and install the tables with {@link dev.outbox.OutboxMigrations}. A sender on
 * an asynchronous broker client collects its per-record answers with {@link
 * dev.outbox.BatchOutcomes}.
 *
 * <p>Everything in this package is stable API. Types in {@code dev.outbox.spi} are for database
 * modules; types in {@code dev.outbox.internal} are implementation details and may change in any
 * release.
 */
package dev.outbox;
