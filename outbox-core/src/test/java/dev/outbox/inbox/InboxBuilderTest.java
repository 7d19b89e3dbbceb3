package dev.outbox.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.internal.InMemoryDialect;
import dev.outbox.internal.NoDatabase;
import dev.outbox.spi.DedupRing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InboxBuilderTest {

  @Test
  void aDialectWithoutDedupTablesIsRefusedAtBuildNamingIt() {
    InMemoryDialect dialect = new InMemoryDialect(Clock.systemUTC());
    assertThatThrownBy(() -> Inbox.builder(new NoDatabase(), dialect).build())
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("the " + dialect.name() + " dialect does not support dedup tables");
    assertThatThrownBy(dialect::inboxMigrationLocation)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining(dialect.name());
  }

  @Test
  void windowsOutsideOneSecondTo366DaysOrWithSubMillisecondsAreRefused() {
    assertThat(DedupRing.checkWindow(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(DedupRing.checkWindow(Duration.ofDays(366))).isEqualTo(Duration.ofDays(366));
    assertThatThrownBy(() -> DedupRing.checkWindow(Duration.ofMillis(999)))
        .hasMessage("window must be between PT1S and PT8784H, was PT0.999S");
    assertThatThrownBy(() -> DedupRing.checkWindow(Duration.ofDays(366).plusMillis(1)))
        .hasMessageContaining("window must be between");
    assertThatThrownBy(() -> DedupRing.checkWindow(Duration.ofSeconds(1).plusNanos(1)))
        .hasMessageContaining("whole number of milliseconds");
    assertThatThrownBy(() -> DedupRing.checkWindow(null)).hasMessage("window must not be null");
  }

  @Test
  void bucketsAndSlotsCountFromTheEpochAndWrapBeforeIt() {
    Duration w = Duration.ofMinutes(1);
    assertThat(DedupRing.bucket(Instant.ofEpochSecond(59), w)).isZero();
    assertThat(DedupRing.bucket(Instant.ofEpochSecond(60), w)).isEqualTo(1);
    assertThat(DedupRing.bucket(Instant.ofEpochMilli(-1), w)).isEqualTo(-1);
    assertThat(DedupRing.slot(-1)).isEqualTo(3);
    assertThat(DedupRing.slot(5)).isEqualTo(1);
    assertThat(DedupRing.expiry(10, w)).isEqualTo(Instant.ofEpochSecond(12 * 60));
  }

  @Test
  void textChecksNameTheField() {
    assertThatThrownBy(() -> DedupRing.checkText("scope", ""))
        .hasMessage("scope must not be blank");
    assertThatThrownBy(() -> DedupRing.checkText("key", "k".repeat(256)))
        .hasMessage("key is 256 characters long; the limit is 255");
    assertThatThrownBy(() -> DedupRing.checkText("key", "a\uD800"))
        .hasMessageContaining("key is not well-formed UTF-16");
  }
}
