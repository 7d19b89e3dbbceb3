package dev.outbox;

/**
 * Told about every failure a relay survives: a claim or acknowledgement that failed, a sender that
 * threw or timed out. Called on the relay's own thread, so it must return quickly and must not
 * throw (anything it throws is logged and ignored).
 */
@FunctionalInterface
public interface RelayErrorListener {
  /**
   * Called once per failure.
   *
   * @param relayName the {@link OutboxRelay.Builder#name(String) name} of the relay
   * @param error what failed; a {@link RelayException} says what the relay was doing
   */
  void onError(String relayName, RelayException error);
}
