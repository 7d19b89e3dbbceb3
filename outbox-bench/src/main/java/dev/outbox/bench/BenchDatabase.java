package dev.outbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxTables;
import dev.outbox.spi.OutboxDialect;
import java.sql.SQLException;
import java.util.Map;

/**
 * What the scenarios need from one database: the outbox dialect, connection pools, the two tables
 * (the outbox's and the raw baseline's, of the same shape), bulk loading and resetting them, and
 * the raw-SQL baseline. One implementation per database; the scenarios are written once.
 */
interface BenchDatabase extends AutoCloseable {

  /** Opens the database named by {@code options}: creates the benchmark schema and both tables. */
  static BenchDatabase open(BenchOptions options) throws SQLException {
    return switch (options.database()) {
      case POSTGRESQL -> PostgresBench.open(options.jdbcUrl(), options.schema());
      case MYSQL -> MySqlBench.open(options.jdbcUrl(), options.schema());
    };
  }

  /** The database's name and version, as the server reports it. */
  String version() throws SQLException;

  /** The server settings that matter for these numbers, by name. */
  Map<String, String> settings() throws SQLException;

  /**
   * Whether the database can wake consumers when a producer commits (PostgreSQL's NOTIFY). Without
   * it, the scenarios' NOTIFY variants are not run: there is nothing to compare.
   */
  boolean hasNotifications();

  /** The outbox dialect, with or without wake-up notifications where the database has them. */
  OutboxDialect dialect(boolean notifications);

  /** The outbox dialect for a produce variant's wake-up setting. */
  default OutboxDialect dialect(ProduceScenario.Wake wake) {
    return dialect(wake != ProduceScenario.Wake.OFF);
  }

  /** The outbox's tables, created with the outbox migrations. */
  OutboxTables outboxTables();

  /** The raw baseline's table: the same columns and indexes, a different name. */
  OutboxTables rawTables();

  /** The raw-SQL baseline's statements. */
  RawQueue raw();

  /** The minimal hand-rolled outbox, on a plain table of its own in the same schema. */
  MinimalQueue minimal();

  /** A pool of {@code size} open connections in auto-commit mode, named {@code bench-<name>}. */
  HikariDataSource pool(String name, int size);

  /** Empties {@code t} and its dead letters and restarts its ids. */
  void reset(OutboxTables t) throws SQLException;

  /**
   * Bulk-inserts {@code n} committed, due messages of {@code payloadBytes} bytes whose keys cycle
   * through {@code keys} distinct values (message i has key i mod keys).
   */
  void loadPending(OutboxTables t, int n, int keys, int payloadBytes) throws SQLException;

  /** Bulk-inserts {@code n} already-sent messages, as years of history would leave them. */
  void loadSent(OutboxTables t, int n, int payloadBytes) throws SQLException;

  /** The highest row id in {@code t}, 0 when empty. */
  long maxId(OutboxTables t) throws SQLException;

  /** Deletes the rows of {@code t} with an id above {@code id}. */
  void deleteAbove(OutboxTables t, long id) throws SQLException;

  /**
   * Brings {@code t} to a steady state before a timed run, the same for both sides: statistics and
   * visibility up to date, dirty pages flushed.
   */
  void settle(OutboxTables t) throws SQLException;

  /** Whether {@code t} still has a pending (unsent) row. */
  boolean hasPending(OutboxTables t) throws SQLException;

  /**
   * Whether {@code t} has a pending row that is not scheduled for later: what a drain of due
   * messages leaves behind while it runs, when scheduled messages wait in the same table.
   */
  boolean hasUnscheduledPending(OutboxTables t) throws SQLException;

  /** Empties the idempotency keys of {@code t} ({@link OutboxTables#idempotencyTable()}). */
  void resetIdempotencyKeys(OutboxTables t) throws SQLException;

  /** The distinct idempotency keys recorded for {@code t}. */
  long idempotencyKeys(OutboxTables t) throws SQLException;

  /** The rows of {@code t} with {@code status} (0 pending, 1 sent). */
  long count(OutboxTables t, int status) throws SQLException;

  /** Drops the benchmark schema and closes the pools. */
  @Override
  void close();
}
