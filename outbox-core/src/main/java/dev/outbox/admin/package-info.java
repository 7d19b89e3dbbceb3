/**
 * The values {@link dev.outbox.OutboxAdmin} reads and returns: what an on-call engineer asks of an
 * outbox (how far behind, what died and why, what holds a key back, which topics are paused) and
 * what an action touched.
 */
package dev.outbox.admin;
