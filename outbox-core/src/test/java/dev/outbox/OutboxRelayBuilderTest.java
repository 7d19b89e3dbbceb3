package dev.outbox;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.spi.OutboxDialect;
import io.opentelemetry.api.OpenTelemetry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Option validation; nothing here touches a database. */
class OutboxRelayBuilderTest {
  /** Never connected: building a relay opens no connection. */
  private final HikariDataSource dataSource = new HikariDataSource();

  /** Never called: building a relay runs no SQL. */
  private final OutboxDialect dialect =
      (OutboxDialect)
          Proxy.newProxyInstance(
              OutboxDialect.class.getClassLoader(),
              new Class<?>[] {OutboxDialect.class},
              (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
              });

  @AfterEach
  void close() {
    dataSource.close();
  }

  @Test
  void durationsThatWouldOverflowAreRefusedAtBuildNamingTheOptionAndItsRange() {
    assertRefused(
        b -> b.sendTimeout(Duration.ofDays(365 * 300)).leaseDuration(Duration.ofDays(365 * 301)),
        "sendTimeout must be positive and at most PT24H");
    assertRefused(
        b -> b.leaseDuration(Duration.ofSeconds(Long.MAX_VALUE)),
        "leaseDuration must be positive and at most PT24H");
    assertRefused(
        b -> b.pollInterval(Duration.ofSeconds(Long.MAX_VALUE)),
        "pollInterval must be positive and at most PT1H");
    assertRefused(
        b -> b.shutdownTimeout(Duration.ofDays(2)),
        "shutdownTimeout must be zero or positive and at most PT1H");
  }

  @Test
  void batchesInFlightOutsideOneToSixtyFourAreRefusedNamingTheOption() {
    assertRefused(b -> b.maxBatchesInFlight(0), "maxBatchesInFlight must be between 1 and 64");
    assertRefused(b -> b.maxBatchesInFlight(65), "maxBatchesInFlight must be between 1 and 64");
    assertThatCode(() -> configure(b -> b.maxBatchesInFlight(64)).build())
        .doesNotThrowAnyException();
    assertThatCode(() -> configure(b -> b.maxBatchesInFlight(1)).build())
        .doesNotThrowAnyException();
  }

  @Test
  void warnAfterAttemptsBelowOneIsRefusedNamingTheOption() {
    assertRefused(
        b -> b.warnAfterAttempts(0), "warnAfterAttempts must be between 1 and 2147483647, was 0");
    assertThatCode(() -> configure(b -> b.warnAfterAttempts(1)).build()).doesNotThrowAnyException();
  }

  @Test
  void theLongestAcceptedDurationsBuild() {
    assertThatCode(
            () ->
                configure(
                        b ->
                            b.leaseDuration(OutboxRelay.Builder.MAX_LEASE_DURATION)
                                .sendTimeout(OutboxRelay.Builder.MAX_LEASE_DURATION.minusSeconds(1))
                                .pollInterval(OutboxRelay.Builder.MAX_POLL_INTERVAL)
                                .shutdownTimeout(OutboxRelay.Builder.MAX_SHUTDOWN_TIMEOUT))
                    .build())
        .doesNotThrowAnyException();
  }

  @Test
  void zeroAndNegativeDurationsAreStillRefused() {
    assertRefused(b -> b.pollInterval(Duration.ZERO), "pollInterval must be positive");
    assertRefused(b -> b.sendTimeout(Duration.ofSeconds(-1)), "sendTimeout must be positive");
    assertRefused(
        b -> b.shutdownTimeout(Duration.ofSeconds(-1)), "shutdownTimeout must be zero or positive");
  }

  private OutboxRelay.Builder configure(UnaryOperator<OutboxRelay.Builder> configure) {
    Sender sender = batch -> CompletableFuture.completedFuture(Outcome.allSent(batch));
    return configure.apply(
        OutboxRelay.builder(dataSource, dialect, sender).openTelemetry(OpenTelemetry.noop()));
  }

  private void assertRefused(UnaryOperator<OutboxRelay.Builder> configure, String message) {
    assertThatThrownBy(() -> configure(configure).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
