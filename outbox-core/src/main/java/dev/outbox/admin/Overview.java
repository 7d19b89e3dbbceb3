package dev.outbox.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How far behind an outbox is, at one moment.
 *
 * @param at when it was read (the admin's clock)
 * @param pending messages not yet sent
 * @param oldestPendingAge how long the oldest of them has waited, or {@link Duration#ZERO}
 * @param deadLetters rows in the dead-letter table
 * @param topics counts by topic and state, topics in name order
 * @param attempts pending messages by attempts made so far (0, 1, 2, ...)
 * @param relays relays seen within the overview's window, by name
 * @param paused the paused topics
 * @param sentWindow how far back {@link TopicCounts#sentRecently()} counts
 */
public record Overview(
    Instant at,
    long pending,
    Duration oldestPendingAge,
    long deadLetters,
    List<TopicCounts> topics,
    SortedMap<Integer, Long> attempts,
    List<RelayView> relays,
    List<PausedTopic> paused,
    Duration sentWindow) {

  /** Copies the lists. */
  public Overview {
    topics = List.copyOf(topics);
    relays = List.copyOf(relays);
    paused = List.copyOf(paused);
    attempts = Collections.unmodifiableSortedMap(new TreeMap<>(attempts));
  }

  /** Whether every topic is paused. */
  public boolean allPaused() {
    return paused.stream().anyMatch(PausedTopic::allTopics);
  }
}
