package dev.outbox.admin;

import java.time.Instant;

/**
 * A paused topic.
 *
 * @param topic the topic, or null when all topics are paused
 * @param pausedAt when it was paused
 * @param reason why, as the operator said, or null
 */
public record PausedTopic(String topic, Instant pausedAt, String reason) {

  /** Whether this pause holds every topic. */
  public boolean allTopics() {
    return topic == null;
  }
}
