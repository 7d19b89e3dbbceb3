/**
 * The conformance test kit. A database module runs the same abstract JUnit contracts ({@link
 * dev.outbox.testkit.EnlistContract}, {@link dev.outbox.testkit.RelayContract}, {@link
 * dev.outbox.testkit.ConcurrencyContract}, {@link dev.outbox.testkit.FaultContract}, {@link
 * dev.outbox.testkit.PartitionContract}, {@link dev.outbox.testkit.TelemetryContract}, {@link
 * dev.outbox.testkit.InboxContract} and the others) through a small subclass that supplies its
 * {@link dev.outbox.testkit.TestDatabase}; a sender's tests use {@link
 * dev.outbox.testkit.RoundTrip}, {@link dev.outbox.testkit.BrokerRestart} and {@link
 * dev.outbox.testkit.TcpProxy} against a real broker. Every test method is {@code final}: a module
 * passes the contract as written or not at all.
 */
package dev.outbox.testkit;
