package dev.outbox.spi;

import java.time.Instant;
import java.util.UUID;

/**
 * A validated message ready to be inserted by {@link OutboxDialect#insert}.
 *
 * @param messageId the stable id assigned at enlist time
 * @param topic the destination
 * @param key the ordering key, or null
 * @param payload the payload bytes (not copied; do not modify)
 * @param headersJson the headers as a JSON object, see {@link HeaderCodec}
 * @param availableAt the {@code next_attempt_at} to store: when the message becomes claimable
 */
public record NewRow(
    UUID messageId,
    String topic,
    String key,
    byte[] payload,
    String headersJson,
    Instant availableAt) {}
