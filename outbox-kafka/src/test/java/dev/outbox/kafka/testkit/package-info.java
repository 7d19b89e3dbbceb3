/**
 * A real Kafka broker for tests, published in {@code outbox-kafka}'s test-jar: {@link
 * dev.outbox.kafka.testkit.InProcessKafka} starts one in the test's JVM, {@link
 * dev.outbox.kafka.testkit.EmbeddedKafka} puts a proxy a test can cut in front of it. The server
 * classes come from {@code org.apache.kafka:kafka_2.13} and {@code kafka-metadata}, which a user of
 * the test-jar declares in test scope.
 */
package dev.outbox.kafka.testkit;
