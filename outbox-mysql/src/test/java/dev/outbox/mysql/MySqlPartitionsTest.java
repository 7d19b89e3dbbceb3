package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MySqlPartitionsTest {

  @Test
  void lockNameNamesTheDatabaseAndTheKeyAndStaysWithinMySqlsLimit() {
    assertThat(MaintenanceLock.name("shop", 255L)).isEqualTo("outbox:shop:00000000000000ff");
    assertThat(MaintenanceLock.name(null, -1L)).isEqualTo("outbox::ffffffffffffffff");

    String longest = "d".repeat(64);
    String hashed = MaintenanceLock.name(longest, 255L);
    assertThat(hashed).hasSizeLessThanOrEqualTo(MaintenanceLock.MAX_NAME_LENGTH);
    assertThat(hashed).startsWith("outbox:#").endsWith(":00000000000000ff");
    assertThat(MaintenanceLock.name("e".repeat(64), 255L))
        .as("another long database name is another lock")
        .isNotEqualTo(hashed);
  }

  @Test
  void lockTimeoutIsRoundedUpToTheWholeSecondsTheServerCounts() {
    assertThat(LockedTable.seconds(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(LockedTable.seconds(Duration.ofMillis(1000))).isEqualTo(1);
    assertThat(LockedTable.seconds(Duration.ofMillis(1001))).isEqualTo(2);
    assertThat(LockedTable.seconds(Duration.ofMinutes(1))).isEqualTo(60);
  }

  @Test
  void boundsAreWrittenAsUtcDatetimeLiterals() {
    assertThat(MySqlPartitionCatalog.literal(Instant.parse("2031-05-21T00:00:00Z")))
        .isEqualTo("'2031-05-21 00:00:00'");
  }

  @Test
  void onlyErrorCode1205IsALockTimeout() {
    MySqlPartitions p = MySqlPartitions.INSTANCE;
    assertThat(p.isLockTimeout(new SQLException("Lock wait timeout exceeded", "HY000", 1205)))
        .isTrue();
    SQLException chained = new SQLException("batch", "HY000", 1105);
    chained.setNextException(new SQLTransientException("lock wait", "40001", 1205));
    assertThat(p.isLockTimeout(chained)).isTrue();
    assertThat(p.isLockTimeout(new SQLException("Deadlock found", "40001", 1213))).isFalse();
    assertThat(p.isLockTimeout(new SQLException("no such table", "42S02", 1146))).isFalse();
  }
}
