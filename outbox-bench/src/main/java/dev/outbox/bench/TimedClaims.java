package dev.outbox.bench;

import dev.outbox.OutboxTables;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.NewRow;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.PartitionSupport;
import dev.outbox.spi.Wakeup;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;

/**
 * A dialect that does what {@code delegate} does and notes how long each claim took, so the soak
 * can report claim times without touching the relay. Thread-safe.
 */
final class TimedClaims implements OutboxDialect {

  /** One claim: when it ended and how long it took, both in {@link System#nanoTime()} terms. */
  record Claim(long endedAt, long nanos) {}

  private final OutboxDialect delegate;
  private final ConcurrentLinkedQueue<Claim> claims = new ConcurrentLinkedQueue<>();

  TimedClaims(OutboxDialect delegate) {
    this.delegate = delegate;
  }

  /** The claims noted so far. */
  List<Claim> claims() {
    return List.copyOf(claims);
  }

  @Override
  public ClaimResult claim(Connection c, OutboxTables tables, ClaimRequest request)
      throws SQLException {
    long start = System.nanoTime();
    try {
      return delegate.claim(c, tables, request);
    } finally {
      long end = System.nanoTime();
      claims.add(new Claim(end, end - start));
    }
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public int releaseScheduled(Connection c, OutboxTables tables, Instant now, int limit)
      throws SQLException {
    return delegate.releaseScheduled(c, tables, now, limit);
  }

  @Override
  public DedupSupport dedup() {
    return delegate.dedup();
  }

  @Override
  public String migrationLocation() {
    return delegate.migrationLocation();
  }

  @Override
  public boolean supports(String productName) {
    return delegate.supports(productName);
  }

  @Override
  public dev.outbox.spi.KeyWalk.Range pendingKeyRange(java.sql.Connection c, OutboxTables tables)
      throws java.sql.SQLException {
    return delegate.pendingKeyRange(c, tables);
  }

  @Override
  public dev.outbox.spi.AdminSupport admin() {
    return delegate.admin();
  }

  @Override
  public Map<String, String> migrationPlaceholders(OutboxTables tables) {
    return delegate.migrationPlaceholders(tables);
  }

  @Override
  public void insert(Connection c, OutboxTables tables, List<NewRow> rows) throws SQLException {
    delegate.insert(c, tables, rows);
  }

  @Override
  public AckResult ack(Connection c, OutboxTables tables, AckBatch batch) throws SQLException {
    return delegate.ack(c, tables, batch);
  }

  @Override
  public List<AckResult> ackAll(Connection c, OutboxTables tables, List<AckBatch> batches)
      throws SQLException {
    return delegate.ackAll(c, tables, batches);
  }

  @Override
  public BacklogStats backlog(Connection c, OutboxTables tables) throws SQLException {
    return delegate.backlog(c, tables);
  }

  @Override
  public Wakeup listen(
      DataSource dataSource, OutboxTables tables, String relayName, Runnable onWake) {
    return delegate.listen(dataSource, tables, relayName, onWake);
  }

  @Override
  public PartitionSupport partitions() {
    return delegate.partitions();
  }

  @Override
  public boolean isTransient(SQLException e) {
    return delegate.isTransient(e);
  }
}
