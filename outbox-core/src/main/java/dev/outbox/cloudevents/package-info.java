/**
 * CloudEvents at send time: {@link dev.outbox.cloudevents.CloudEventsSender} wraps any {@link
 * dev.outbox.Sender} so that each message reaches the broker as a CloudEvent in binary content
 * mode, its attributes in headers named as the protocol binding (Kafka, AMQP) says. No CloudEvents
 * SDK is needed; what the outbox stores is unchanged.
 */
package dev.outbox.cloudevents;
