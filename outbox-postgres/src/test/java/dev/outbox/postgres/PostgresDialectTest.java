package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The dialect's options; nothing here touches a database. */
class PostgresDialectTest {

  @Test
  void theDefaultNotifiesAtMostOncePerMillisecond() {
    PostgresDialect dialect = new PostgresDialect();
    assertThat(dialect.notifications()).isTrue();
    assertThat(dialect.notifyWindow()).isEqualTo(PostgresDialect.DEFAULT_NOTIFY_WINDOW);
    assertThat(dialect.notifyWindow()).isEqualTo(Duration.ofMillis(1));
  }

  @Test
  void aWindowOutsideZeroToOneSecondIsRefusedNamingIt() {
    PostgresDialect dialect = new PostgresDialect();
    assertThatThrownBy(() -> dialect.withNotifyWindow(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notify window must be between 0 and PT1S");
    assertThatThrownBy(() -> dialect.withNotifyWindow(Duration.ofMillis(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notify window");
    assertThat(dialect.withNotifyWindow(Duration.ZERO).notifyWindow()).isZero();
    assertThat(dialect.withNotifyWindow(Duration.ofSeconds(1)).notifyWindow())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aDialectWithoutNotificationsHasNoWindowToSet() {
    assertThatThrownBy(() -> PostgresDialect.withoutNotifications().withNotifyWindow(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without notifications");
  }
}
