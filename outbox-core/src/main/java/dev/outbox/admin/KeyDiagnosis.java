package dev.outbox.admin;

import java.util.Optional;

/**
 * What holds a key back.
 *
 * @param key the key
 * @param head its oldest pending message (what every later message of the key waits for), or empty
 *     when nothing of the key is pending
 * @param pending how many of its messages are pending
 * @param deadLetters how many of its messages are in the dead-letter table
 * @param paused whether the head's topic (or every topic) is paused
 * @param verdict one sentence saying why the key is or is not moving
 */
public record KeyDiagnosis(
    String key,
    Optional<MessageView> head,
    long pending,
    long deadLetters,
    boolean paused,
    String verdict) {}
