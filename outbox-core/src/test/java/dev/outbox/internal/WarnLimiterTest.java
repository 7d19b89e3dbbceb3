package dev.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarnLimiterTest {
  private final AtomicLong ticker = new AtomicLong(1_000);
  private final WarnLimiter limiter = new WarnLimiter(Duration.ofSeconds(10), ticker::get);

  @Test
  void theFirstLineGoesThroughAndTheNextOnesWithinTheIntervalAreCounted() {
    assertThat(limiter.tryAcquire()).isZero();
    for (int i = 0; i < 1234; i++) {
      ticker.addAndGet(Duration.ofMillis(5).toNanos());
      assertThat(limiter.tryAcquire()).isEqualTo(WarnLimiter.SUPPRESS);
    }
    ticker.set(1_000 + Duration.ofSeconds(10).toNanos());
    assertThat(limiter.tryAcquire())
        .as("the count of lines left out since the last")
        .isEqualTo(1234);
    assertThat(limiter.tryAcquire()).isEqualTo(WarnLimiter.SUPPRESS);
    ticker.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(limiter.tryAcquire()).isEqualTo(1);
  }

  @Test
  void aQuietPeriodLetsTheNextLineThroughWithNothingLeftOut() {
    assertThat(limiter.tryAcquire()).isZero();
    ticker.addAndGet(Duration.ofHours(1).toNanos());
    assertThat(limiter.tryAcquire()).isZero();
  }

  @Test
  void resetLetsTheNextLineThroughAtOnceAndKeepsTheCount() {
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(WarnLimiter.SUPPRESS);
    limiter.reset();
    assertThat(limiter.tryAcquire()).isEqualTo(1);
  }

  @Test
  void aTickerThatWrapsAroundStillCountsElapsedTime() {
    ticker.set(Long.MAX_VALUE - 5);
    assertThat(limiter.tryAcquire()).isZero();
    ticker.set(Long.MIN_VALUE + Duration.ofSeconds(10).toNanos());
    assertThat(limiter.tryAcquire()).isZero();
  }
}
