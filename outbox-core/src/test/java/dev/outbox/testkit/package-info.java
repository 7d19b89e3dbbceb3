/**
 * The conformance test kit, published in outbox-core's test-jar. Every database module runs the
 * same abstract contracts ({@link dev.outbox.testkit.EnlistContract}, {@link
 * dev.outbox.testkit.RelayContract}, {@link dev.outbox.testkit.ConcurrencyContract}, {@link
 * dev.outbox.testkit.FaultContract}) through a small subclass that supplies its {@link
 * dev.outbox.testkit.TestDatabase}.
 */
package dev.outbox.testkit;
