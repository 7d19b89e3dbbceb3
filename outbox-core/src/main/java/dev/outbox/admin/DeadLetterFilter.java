package dev.outbox.admin;

import java.time.Instant;
import java.util.List;

/**
 * Which dead letters to list, replay or purge. Every criterion is optional (null or empty: any);
 * the criteria given must all match. A replay or purge refuses a filter without any criterion
 * unless it is {@link #all()}, so that "everything" is always said on purpose.
 *
 * @param ids only these dead-letter ids ({@link DeadLetterView#id()})
 * @param topic exactly this topic
 * @param key exactly this ordering key
 * @param reasonContains only dead letters whose reason contains this text (case-sensitive)
 * @param deadSince only those that died at or after this time
 * @param deadBefore only those that died before this time
 * @param everything whether an empty filter means every dead letter (see {@link #all()})
 */
public record DeadLetterFilter(
    List<Long> ids,
    String topic,
    String key,
    String reasonContains,
    Instant deadSince,
    Instant deadBefore,
    boolean everything) {

  /** Copies the ids. */
  public DeadLetterFilter {
    ids = ids == null ? List.of() : List.copyOf(ids);
    if (ids.size() > MAX_IDS) {
      throw new IllegalArgumentException(
          "at most " + MAX_IDS + " ids may be given at once, were " + ids.size());
    }
  }

  /** The most ids one filter may name. */
  public static final int MAX_IDS = 1000;

  /** No criterion: for listing; a replay or purge with it is refused. */
  public static DeadLetterFilter none() {
    return new DeadLetterFilter(List.of(), null, null, null, null, null, false);
  }

  /** Every dead letter, on purpose. */
  public static DeadLetterFilter all() {
    return new DeadLetterFilter(List.of(), null, null, null, null, null, true);
  }

  /** These dead letters. */
  public static DeadLetterFilter ids(Long... ids) {
    return none().withIds(List.of(ids));
  }

  /** Only these ids. */
  public DeadLetterFilter withIds(List<Long> ids) {
    return new DeadLetterFilter(ids, topic, key, reasonContains, deadSince, deadBefore, everything);
  }

  /** Only {@code topic}. */
  public DeadLetterFilter withTopic(String topic) {
    return new DeadLetterFilter(ids, topic, key, reasonContains, deadSince, deadBefore, everything);
  }

  /** Only {@code key}. */
  public DeadLetterFilter withKey(String key) {
    return new DeadLetterFilter(ids, topic, key, reasonContains, deadSince, deadBefore, everything);
  }

  /** Only reasons containing {@code text}. */
  public DeadLetterFilter withReasonContaining(String text) {
    return new DeadLetterFilter(ids, topic, key, text, deadSince, deadBefore, everything);
  }

  /** Only those dead at or after {@code since}. */
  public DeadLetterFilter withDeadSince(Instant since) {
    return new DeadLetterFilter(ids, topic, key, reasonContains, since, deadBefore, everything);
  }

  /** Only those dead before {@code before}. */
  public DeadLetterFilter withDeadBefore(Instant before) {
    return new DeadLetterFilter(ids, topic, key, reasonContains, deadSince, before, everything);
  }

  /** Whether no criterion is set. */
  public boolean isEmpty() {
    return ids.isEmpty()
        && topic == null
        && key == null
        && reasonContains == null
        && deadSince == null
        && deadBefore == null;
  }
}
