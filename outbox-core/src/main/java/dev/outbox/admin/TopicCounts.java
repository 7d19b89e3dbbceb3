package dev.outbox.admin;

/**
 * One topic's messages by state.
 *
 * @param topic the topic
 * @param due pending and claimable now
 * @param leased pending and held by a relay's live lease
 * @param waiting pending and waiting for a retry
 * @param dead in the dead-letter table
 * @param sentRecently enlisted and sent within the overview's window
 * @param paused whether delivery of this topic is paused (on its own or with all topics)
 */
public record TopicCounts(
    String topic,
    long due,
    long leased,
    long waiting,
    long dead,
    long sentRecently,
    boolean paused) {

  /** Pending messages: due, leased and waiting. */
  public long pending() {
    return due + leased + waiting;
  }
}
