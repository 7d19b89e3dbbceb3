/**
 * Implementation details of the outbox: the relay loop, metrics and spans, trace headers, partition
 * maintenance runs. Not API: never import these types from application code or from a database
 * module.
 */
package dev.outbox.internal;
