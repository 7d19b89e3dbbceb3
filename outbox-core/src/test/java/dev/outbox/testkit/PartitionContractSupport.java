package dev.outbox.testkit;

import dev.outbox.PartitionInterval;
import dev.outbox.PartitionMaintenance;
import dev.outbox.spi.Partition;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What the partition maintenance contracts need: a job builder on this test's table with a clock at
 * a fixed instant, and helpers that write rows with a chosen {@code created_at} and state (so no
 * test sleeps through a retention) and read the partitions back from the catalog.
 */
public abstract class PartitionContractSupport extends OutboxContractSupport {

  /** A fixed "now" for the job, mid-morning UTC, far from any real partition of the table. */
  protected static final Instant NOW = Instant.parse("2031-05-20T10:30:00Z");

  /** How a test row stands. */
  protected enum RowState {
    /** status 1. */
    SENT,
    /** status 0, due. */
    PENDING,
    /** status 0, claimed by a relay whose lease has not ended. */
    LEASED,
    /** status 0, failed once and waiting for its backoff. */
    RETRY_WAITING
  }

  /** A maintenance builder for this test's table and a clock at {@link #NOW}. */
  protected PartitionMaintenance.Builder maintenanceBuilder() {
    clock = new MutableClock(NOW);
    return PartitionMaintenance.builder(dataSource, dialect)
        .schema(tables.schema())
        .table(tables.table())
        .clock(clock)
        .lockTimeout(Duration.ofSeconds(10))
        .lockKey(UUID.randomUUID().getMostSignificantBits());
  }

  /** Builds a job with {@link #maintenanceBuilder()} and closes it after the test. */
  protected PartitionMaintenance maintenance() {
    return closeAfterTest(maintenanceBuilder().build());
  }

  /**
   * Inserts one message directly, with the given {@code created_at} and state; returns its message
   * id. Portable SQL; values are bound through {@link TestDatabase#bindUuid} and {@link
   * TestDatabase#bindInstant}, which each database module adapts to its column types.
   */
  protected UUID insertMessage(Instant createdAt, RowState state) throws SQLException {
    UUID id = UUID.randomUUID();
    boolean open = state != RowState.SENT;
    Instant next = state == RowState.PENDING ? createdAt : NOW.plus(Duration.ofMinutes(5));
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + messageTable()
                    + " (message_id, topic, payload, headers, created_at, status, attempts,"
                    + " next_attempt_at, lease_token, lease_until, sent_at)"
                    + " VALUES (?, 'retention', ?, '{}', ?, ?, ?, ?, ?, ?, ?)")) {
      db.bindUuid(ps, 1, id);
      ps.setBytes(2, ("m-" + state).getBytes(StandardCharsets.UTF_8));
      db.bindInstant(ps, 3, createdAt);
      ps.setInt(4, open ? 0 : 1);
      ps.setInt(5, state == RowState.PENDING ? 0 : 1);
      db.bindInstant(ps, 6, next);
      db.bindUuid(ps, 7, state == RowState.LEASED ? UUID.randomUUID() : null);
      db.bindInstant(ps, 8, state == RowState.LEASED ? next : null);
      db.bindInstant(ps, 9, open ? null : createdAt.plusSeconds(1));
      ps.executeUpdate();
    }
    return id;
  }

  /** Inserts one dead letter whose message was created at {@code createdAt}. */
  protected void insertDeadLetter(Instant createdAt) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + deadTable()
                    + " (original_id, message_id, topic, payload, headers, created_at, attempts,"
                    + " reason, dead_at) VALUES (1, ?, 'retention', ?, '{}', ?, 3, 'poison', ?)")) {
      db.bindUuid(ps, 1, UUID.randomUUID());
      ps.setBytes(2, new byte[] {1});
      db.bindInstant(ps, 3, createdAt);
      db.bindInstant(ps, 4, createdAt.plusSeconds(60));
      ps.executeUpdate();
    }
  }

  /** The partitions of the message table, from the catalog, through the dialect. */
  protected List<Partition> partitions() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return dialect.partitions().partitions(c, tables);
    }
  }

  /** The names of the partitions that are not the catch-all one. */
  protected List<String> rangePartitionNames() throws SQLException {
    return partitions().stream().filter(p -> !p.catchAll()).map(Partition::name).toList();
  }

  /** The message ids in the table, read as text, which every database's uuid column gives. */
  protected Set<UUID> messageIds() throws SQLException {
    Set<UUID> ids = new HashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT message_id FROM " + messageTable());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(UUID.fromString(rs.getString(1)));
      }
    }
    return ids;
  }

  /** The name of the partition of {@code start}'s interval. */
  protected String daily(Instant start) {
    return PartitionInterval.DAILY.partitionName(tables.table(), start);
  }

  /** {@link #NOW} minus {@code days} days. */
  protected static Instant daysAgo(int days) {
    return NOW.minus(Duration.ofDays(days));
  }
}
