package dev.outbox.spring;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.Overview;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * DOWN when the oldest pending message is older than {@code outbox.health.max-oldest-pending-age}
 * (default 5 minutes), or there are more dead letters than {@code outbox.health.max-dead-letters}
 * (unset by default: dead letters alone never make it DOWN); UP otherwise, and DOWN when the tables
 * cannot be read. Details: pending, oldest pending age, dead letters, relays seen.
 */
public final class OutboxHealthIndicator extends AbstractHealthIndicator {
  private final OutboxAdmin admin;
  private final OutboxProperties.Health limits;

  /** Reads {@code admin}'s overview against {@code limits}. */
  public OutboxHealthIndicator(OutboxAdmin admin, OutboxProperties.Health limits) {
    super("outbox health check failed");
    this.admin = Objects.requireNonNull(admin, "admin");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Overview o = admin.overview();
    Duration oldest = o.oldestPendingAge();
    builder
        .withDetail("table", admin.tables().toString())
        .withDetail("pending", o.pending())
        .withDetail(
            "oldestPendingAge", oldest == null ? Duration.ZERO.toString() : oldest.toString())
        .withDetail("deadLetters", o.deadLetters())
        .withDetail("relays", o.relays().size());
    boolean tooOld =
        oldest != null
            && limits.getMaxOldestPendingAge() != null
            && oldest.compareTo(limits.getMaxOldestPendingAge()) > 0;
    boolean tooManyDead =
        limits.getMaxDeadLetters() != null && o.deadLetters() > limits.getMaxDeadLetters();
    if (tooOld) {
      builder.withDetail(
          "reason", "oldest pending message older than " + limits.getMaxOldestPendingAge());
    } else if (tooManyDead) {
      builder.withDetail("reason", "more than " + limits.getMaxDeadLetters() + " dead letters");
    }
    if (tooOld || tooManyDead) {
      builder.down();
    } else {
      builder.up();
    }
  }
}
