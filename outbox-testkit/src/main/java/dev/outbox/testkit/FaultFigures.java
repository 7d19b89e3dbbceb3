package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What a fault test observed, as the one line it ends with: {@code faults: <scenario> committed=…
 * delivered=… lost=… duplicates=… out-of-order=…}. Computed from the committed messages (with their
 * keys, in commit order) and every message id the sender was handed (in the order handed over):
 * delivered counts committed messages handed over at least once, lost those never handed over,
 * duplicates the handings beyond each message's first, and out-of-order the messages whose first
 * handing came after that of a message of the same key committed after it (messages without a key
 * are unordered). A handed id that was never committed fails the test at once.
 *
 * @param scenario what was done to the relay
 * @param committed committed messages
 * @param delivered committed messages handed to the sender at least once
 * @param lost committed messages never handed over
 * @param duplicates handings beyond the first
 * @param outOfOrder messages first handed over after a later-committed message of their key
 */
public record FaultFigures(
    String scenario, int committed, int delivered, int lost, int duplicates, int outOfOrder) {

  /**
   * Counts what {@code handed} shows of {@code committed} and prints the line to standard output.
   *
   * @param committed message id to key (null for none), in commit order
   * @param handed every message id handed to the sender, in order, repeats included
   */
  public static FaultFigures print(
      String scenario, LinkedHashMap<UUID, String> committed, List<UUID> handed) {
    Map<UUID, Integer> rank = new HashMap<>();
    committed.keySet().forEach(id -> rank.put(id, rank.size()));
    Set<UUID> seen = new HashSet<>();
    Map<String, Integer> latestRankOfKey = new HashMap<>();
    int duplicates = 0;
    int outOfOrder = 0;
    for (UUID id : handed) {
      assertThat(rank).as("handed over but never committed: %s", id).containsKey(id);
      if (!seen.add(id)) {
        duplicates++;
        continue;
      }
      String key = committed.get(id);
      if (key != null) {
        int latest = latestRankOfKey.merge(key, rank.get(id), Math::max);
        if (latest > rank.get(id)) {
          outOfOrder++;
        }
      }
    }
    FaultFigures f =
        new FaultFigures(
            scenario,
            committed.size(),
            seen.size(),
            committed.size() - seen.size(),
            duplicates,
            outOfOrder);
    System.out.println(f.line());
    return f;
  }

  /** The line. */
  public String line() {
    return "faults: %s committed=%d delivered=%d lost=%d duplicates=%d out-of-order=%d"
        .formatted(scenario, committed, delivered, lost, duplicates, outOfOrder);
  }

  /** Fails unless every committed message was handed over and each key in commit order. */
  public FaultFigures assertNoneLostNoneOutOfOrder() {
    assertThat(lost).as("%s: lost", line()).isZero();
    assertThat(outOfOrder).as("%s: out of order", line()).isZero();
    return this;
  }
}
