package dev.outbox.admin;

/**
 * Which pending messages to list. Every criterion is optional (null: any); the criteria given must
 * all match.
 *
 * @param topic exactly this topic
 * @param key exactly this ordering key
 * @param state only messages in this state ({@link MessageState#SENT} and {@link MessageState#DEAD}
 *     are refused: pending messages only)
 * @param errorContains only messages whose last error contains this text (case-sensitive)
 */
public record MessageFilter(String topic, String key, MessageState state, String errorContains) {

  /** Refuses states that are not pending states. */
  public MessageFilter {
    if (state == MessageState.SENT || state == MessageState.DEAD) {
      throw new IllegalArgumentException(
          "state " + state + " is not a pending state: use DUE, LEASED or WAITING");
    }
  }

  /** Every pending message. */
  public static MessageFilter any() {
    return new MessageFilter(null, null, null, null);
  }

  /** Only {@code topic}. */
  public MessageFilter withTopic(String topic) {
    return new MessageFilter(topic, key, state, errorContains);
  }

  /** Only {@code key}. */
  public MessageFilter withKey(String key) {
    return new MessageFilter(topic, key, state, errorContains);
  }

  /** Only {@code state}. */
  public MessageFilter withState(MessageState state) {
    return new MessageFilter(topic, key, state, errorContains);
  }

  /** Only errors containing {@code text}. */
  public MessageFilter withErrorContaining(String text) {
    return new MessageFilter(topic, key, state, text);
  }
}
