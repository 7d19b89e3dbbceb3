package dev.outbox.spring;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.KeyDiagnosis;
import dev.outbox.admin.Overview;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code outbox} Actuator endpoint over {@link OutboxAdmin}. Reads: the overview ({@code GET
 * /actuator/outbox}) and why a key is not moving ({@code GET /actuator/outbox/{key}}). Writes
 * ({@code POST /actuator/outbox} with {@code action} = {@code pause}, {@code resume} or {@code
 * replay}) are refused unless {@code outbox.actuator.writes-enabled=true}. Exposing the endpoint at
 * all follows Boot's {@code management.endpoints.*} settings (not exposed over HTTP by default).
 */
@Endpoint(id = "outbox")
public final class OutboxEndpoint {
  private final OutboxAdmin admin;
  private final boolean writesEnabled;

  /**
   * @param admin the operations
   * @param writesEnabled whether the write operation may change anything
   */
  public OutboxEndpoint(OutboxAdmin admin, boolean writesEnabled) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.writesEnabled = writesEnabled;
  }

  /** Whether the write operation may change anything ({@code outbox.actuator.writes-enabled}). */
  public boolean writesEnabled() {
    return writesEnabled;
  }

  /** The backlog by topic and state, the oldest pending age, dead letters, relays, pauses. */
  @ReadOperation
  public Overview overview() {
    return admin.overview();
  }

  /** The head of {@code key}'s pending messages, its attempts, error and lease. */
  @ReadOperation
  public KeyDiagnosis key(@Selector String key) {
    return admin.key(key);
  }

  /**
   * Pauses or resumes a topic ({@code topic}; {@code reason} for a pause), or replays one dead
   * letter ({@code deadLetterId}).
   *
   * @return what was done: the action, and its topic or the rows replayed
   * @throws IllegalStateException if writes are not enabled
   * @throws IllegalArgumentException if the action is unknown or its argument is missing
   */
  @WriteOperation
  public Map<String, Object> act(
      String action, @Nullable String topic, @Nullable String reason, @Nullable Long deadLetterId) {
    if (!writesEnabled) {
      throw new IllegalStateException(
          "the outbox endpoint is read-only; set outbox.actuator.writes-enabled=true to allow "
              + action);
    }
    switch (action.toLowerCase(Locale.ROOT)) {
      case "pause" -> {
        admin.pause(require(topic, "topic"), reason == null ? "paused through Actuator" : reason);
        return Map.of("action", "pause", "topic", topic);
      }
      case "resume" -> {
        boolean resumed = admin.resume(require(topic, "topic"));
        return Map.of("action", "resume", "topic", topic, "wasPaused", resumed);
      }
      case "replay" -> {
        Change c = admin.replay(DeadLetterFilter.ids(require(deadLetterId, "deadLetterId")), false);
        return Map.of("action", "replay", "rows", c.rows(), "ids", c.sample());
      }
      default ->
          throw new IllegalArgumentException(
              "unknown action '" + action + "': use pause, resume or replay");
    }
  }

  private static <T> T require(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is required for this action");
    }
    return value;
  }
}
