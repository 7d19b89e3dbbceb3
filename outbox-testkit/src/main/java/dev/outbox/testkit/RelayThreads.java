package dev.outbox.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the live threads of a relay, or of a sender that follows the same naming, by its name
 * ({@code outbox-<name>-<role>}).
 */
public final class RelayThreads {
  private RelayThreads() {}

  /** Names of the live threads of the relay (or sender) called {@code relayName}. */
  public static List<String> named(String relayName) {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("outbox-" + relayName + "-")) {
        names.add(t.getName());
      }
    }
    return names;
  }
}
