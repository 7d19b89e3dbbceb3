/**
 * The consumer side of the outbox: {@link dev.outbox.inbox.Inbox} records the message ids a
 * consumer has processed, in the consumer's own transaction, so that an effect happens once however
 * often the broker redelivers a message. See docs/inbox.md.
 */
package dev.outbox.inbox;
