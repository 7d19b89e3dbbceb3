/**
 * The {@code outbox} operator command line over {@link dev.outbox.OutboxAdmin}: {@link
 * dev.outbox.cli.OutboxCli} is its entry point, and this module's jar runs it on its own.
 */
package dev.outbox.cli;
