/**
 * JSON payloads through Jackson: {@link dev.outbox.jackson.JacksonPayloadCodec}, a {@link
 * dev.outbox.PayloadCodec} to configure on {@code JdbcOutbox.Builder.payloadCodec(...)}.
 */
package dev.outbox.jackson;
