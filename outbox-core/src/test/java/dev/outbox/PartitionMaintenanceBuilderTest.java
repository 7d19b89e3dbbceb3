package dev.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.NewRow;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.PartitionSupport;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Option validation; nothing here touches a database. */
class PartitionMaintenanceBuilderTest {
  /** Never connected: building a job opens no connection. */
  private final HikariDataSource dataSource = new HikariDataSource();

  @AfterEach
  void close() {
    dataSource.close();
  }

  @Test
  void aDialectWithoutPartitionSupportIsRefusedAtBuildNamingTheDialect() {
    assertThatThrownBy(
            () -> PartitionMaintenance.builder(dataSource, new NoPartitionsDialect()).build())
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("nopartitions")
        .hasMessageContaining("partition maintenance");
  }

  @Test
  void invalidOptionsAreRefusedNamingTheOptionAndItsRange() {
    assertRefused(b -> b.partitionsAhead(0), "partitionsAhead must be between 1 and 100");
    assertRefused(b -> b.partitionsAhead(101), "partitionsAhead must be between 1 and 100");
    assertRefused(b -> b.retention(Duration.ofDays(-1)), "retention must be zero or positive");
    assertRefused(
        b -> b.retention(Duration.ofSeconds(Long.MAX_VALUE)),
        "retention must be zero or positive and at most PT87600H");
    assertRefused(b -> b.runPeriod(Duration.ZERO), "runPeriod must be positive");
    assertRefused(
        b -> b.interval(PartitionInterval.HOURLY).partitionsAhead(2).runPeriod(Duration.ofHours(3)),
        "at most interval × partitionsAhead (PT2H)");
    assertRefused(b -> b.lockTimeout(Duration.ZERO), "lockTimeout must be between 1 ms and PT1M");
    assertRefused(b -> b.lockTimeout(Duration.ofMinutes(2)), "lockTimeout must be between");
    assertRefused(b -> b.name("has space"), "name must be 1 to 64");
    assertThatThrownBy(
            () ->
                PartitionMaintenance.builder(dataSource, new WithPartitionsDialect()).tables(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("tables must not be null");
  }

  @Test
  void theDefaultLockKeyIsStableAndDiffersBetweenTables() {
    long a = PartitionMaintenance.Builder.defaultLockKey(new OutboxTables("s", "outbox_message"));
    assertThat(PartitionMaintenance.Builder.defaultLockKey(new OutboxTables("s", "outbox_message")))
        .isEqualTo(a);
    assertThat(PartitionMaintenance.Builder.defaultLockKey(new OutboxTables("s", "other")))
        .isNotEqualTo(a);
    assertThat(
            PartitionMaintenance.Builder.defaultLockKey(new OutboxTables(null, "outbox_message")))
        .isNotEqualTo(a);
  }

  private void assertRefused(
      java.util.function.UnaryOperator<PartitionMaintenance.Builder> configure, String message) {
    PartitionMaintenance.Builder b =
        PartitionMaintenance.builder(dataSource, new WithPartitionsDialect());
    assertThatThrownBy(() -> configure.apply(b).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  /** A dialect without partition support: every database operation is refused. */
  private static class NoPartitionsDialect implements OutboxDialect {
    @Override
    public String name() {
      return "nopartitions";
    }

    @Override
    public String migrationLocation() {
      return "classpath:none";
    }

    @Override
    public void insert(Connection c, OutboxTables tables, List<NewRow> rows) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ClaimResult claim(Connection c, OutboxTables tables, ClaimRequest r) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AckResult ack(Connection c, OutboxTables tables, AckBatch batch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public BacklogStats backlog(Connection c, OutboxTables tables) {
      throw new UnsupportedOperationException();
    }
  }

  /** A dialect that claims partition support; these tests only build, so it is never used. */
  private static final class WithPartitionsDialect extends NoPartitionsDialect {
    @Override
    public PartitionSupport partitions() {
      return null;
    }
  }
}
