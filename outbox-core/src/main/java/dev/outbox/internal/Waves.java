package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch cut into the waves the relay hands a sender that does not {@linkplain
 * dev.outbox.Sender#acceptsRuns accept runs}: wave {@code n} holds the {@code n}-th record of every
 * key in the batch, in id order, and the first wave also every record without a key. A batch of one
 * record a key is one wave, so this costs nothing where keys are many; a run of one key becomes one
 * sender call a record, which is what handing over a key's next record only after the previous
 * one's outcome is known means.
 */
final class Waves {
  private final List<List<OutboxRecord>> waves;

  /** The index of the wave handed over last. */
  private int current;

  private Waves(List<List<OutboxRecord>> waves) {
    this.waves = waves;
  }

  /** The whole batch as one wave. */
  static Waves single(List<OutboxRecord> batch) {
    return new Waves(List.of(batch));
  }

  /** {@code batch} (in id order) cut so that no wave holds two records of one key. */
  static Waves of(List<OutboxRecord> batch) {
    List<List<OutboxRecord>> waves = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (OutboxRecord r : batch) {
      int n = r.key() == null ? 0 : seen.merge(r.key(), 1, Integer::sum) - 1;
      if (n == waves.size()) {
        waves.add(new ArrayList<>());
      }
      waves.get(n).add(r);
    }
    return new Waves(waves);
  }

  /** The first wave: never empty for a non-empty batch. */
  List<OutboxRecord> first() {
    return waves.get(0);
  }

  /** Whether the wave handed over last is the batch's last one. */
  boolean atLast() {
    return current == waves.size() - 1;
  }

  /**
   * The next wave's records that may be handed over now, leaving out the keys in {@code stopped};
   * empty when there is none. A key is stopped once one of its records is to be retried: its later
   * records are held back. (A key in a wave is in every wave before it, so once a wave has nothing
   * left to hand over, no later one has.)
   */
  List<OutboxRecord> next(Set<String> stopped) {
    if (atLast()) {
      return List.of();
    }
    current++;
    List<OutboxRecord> going = new ArrayList<>(waves.get(current).size());
    for (OutboxRecord r : waves.get(current)) {
      if (!stopped.contains(r.key())) {
        going.add(r);
      }
    }
    return going;
  }
}
