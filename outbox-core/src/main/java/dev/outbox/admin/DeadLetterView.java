package dev.outbox.admin;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A row of the dead-letter table.
 *
 * @param id the dead letter's own id (what replay and purge by id take)
 * @param originalId the id the message had in the message table
 * @param messageId the stable message id
 * @param topic the topic
 * @param key the ordering key, or null
 * @param createdAt when the message was enlisted
 * @param attempts delivery attempts made before it died
 * @param reason why it died
 * @param deadAt when it died
 * @param replayCount how many times it was replayed before this death
 * @param payloadSize the payload's size in bytes
 * @param headers its headers
 */
public record DeadLetterView(
    long id,
    long originalId,
    UUID messageId,
    String topic,
    String key,
    Instant createdAt,
    int attempts,
    String reason,
    Instant deadAt,
    int replayCount,
    long payloadSize,
    Map<String, String> headers) {}
