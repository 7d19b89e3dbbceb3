package dev.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void exponentialDelayStaysWithinTheDoublingCeilingAndTheCap() {
    Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));
    for (int attempt = 1; attempt <= 70; attempt++) {
      long ceiling = Math.min(100L << Math.min(attempt - 1, 20), 2000);
      for (int i = 0; i < 200; i++) {
        Duration d = backoff.delay(attempt);
        assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(ceiling));
      }
    }
  }

  @Test
  void exponentialDelayIsJittered() {
    Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5));
    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      seen.add(backoff.delay(5));
    }
    assertThat(seen).hasSizeGreaterThan(40);
  }

  @Test
  void hugeAttemptNumbersDoNotOverflow() {
    Backoff backoff = Backoff.exponential(Duration.ofDays(1), Duration.ofDays(30));
    assertThat(backoff.delay(Integer.MAX_VALUE)).isBetween(Duration.ZERO, Duration.ofDays(30));
  }

  @Test
  void invalidBoundsAreRefused() {
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("initial");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("max");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(-1)))
        .hasMessageContaining("negative");
  }

  @Test
  void delaysLongerThanTheMaximumAreRefusedAtCreation() {
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofDays(365 * 300)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backoff max delay must be at most PT720H");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backoff delay must be at most PT720H");
    assertThat(Backoff.exponential(Duration.ofSeconds(1), Backoff.MAX_DELAY).delay(100))
        .isBetween(Duration.ZERO, Backoff.MAX_DELAY);
  }
}
