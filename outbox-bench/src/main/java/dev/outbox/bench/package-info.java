/**
 * The benchmark harness: the outbox measured side by side with the same work in raw SQL on the same
 * database, interleaved round by round. Entry point: {@link dev.outbox.bench.Bench}.
 */
package dev.outbox.bench;
