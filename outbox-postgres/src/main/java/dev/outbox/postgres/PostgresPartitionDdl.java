package dev.outbox.postgres;

import static dev.outbox.postgres.PostgresPartitionCatalog.name;
import static dev.outbox.postgres.PostgresPartitionCatalog.parent;

import dev.outbox.OutboxTables;
import dev.outbox.spi.Partition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/**
 * The statements partition maintenance changes the schema with on PostgreSQL, each run inside the
 * caller's transaction: the lock timeout and the table locks, creating a partition (with the
 * storage settings every partition gets), detaching and attaching the catch-all partition, moving
 * rows out of it, and dropping a partition. Bounds are literals: PostgreSQL does not take
 * parameters in DDL.
 */
final class PostgresPartitionDdl {
  private PostgresPartitionDdl() {}

  /** SQLSTATE duplicate_table. */
  static final String DUPLICATE_TABLE = "42P07";

  /**
   * The storage settings of every partition, as the migrations set them on the first ones: free
   * space on each page so that claims can be heap-only updates (V2, half of it since V5), and
   * autovacuum as a queue table needs it (V4).
   */
  static final String PARTITION_SETTINGS =
      "fillfactor = 50, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,"
          + " autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000,"
          + " autovacuum_vacuum_cost_limit = 2000";

  private static final String SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', ?, true)";
  private static final String LOCK_PARENT = "LOCK TABLE ONLY %s IN ACCESS EXCLUSIVE MODE";
  private static final String LOCK_PARTITION = "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE";

  private static final String CREATE_PARTITION =
      "CREATE TABLE %s PARTITION OF %s FOR VALUES FROM ('%s') TO ('%s') WITH ("
          + PARTITION_SETTINGS
          + ")";

  private static final String DETACH_CATCH_ALL = "ALTER TABLE %s DETACH PARTITION %s";
  private static final String ATTACH_CATCH_ALL = "ALTER TABLE %s ATTACH PARTITION %s DEFAULT";

  /**
   * Moves the range's rows from the detached catch-all partition into the parent, which routes them
   * to the new partition; every column is copied, the id included.
   */
  private static final String MOVE_ROWS =
      """
      WITH moved AS (DELETE FROM %1$s WHERE created_at >= ? AND created_at < ? RETURNING %3$s)
      INSERT INTO %2$s (%3$s) SELECT %3$s FROM moved
      """;

  private static final String DROP_PARTITION = "DROP TABLE %s";

  /**
   * Sets the transaction's lock timeout, checks the table and locks it ({@code ONLY}, so not every
   * partition) against every writer.
   *
   * @return the schema the table lives in
   */
  static String lockParent(Connection tx, OutboxTables tables, Duration lockTimeout)
      throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement(SET_LOCK_TIMEOUT)) {
      ps.setString(1, lockTimeout.toMillis() + "ms");
      ps.execute();
    }
    String schema = PostgresPartitionCatalog.describe(tx, tables);
    execute(tx, String.format(LOCK_PARENT, parent(tables)));
    return schema;
  }

  /** Locks {@code partition} against every reader and writer until the transaction ends. */
  static void lockPartition(Connection tx, Partition partition) throws SQLException {
    execute(tx, String.format(LOCK_PARTITION, name(partition)));
  }

  /**
   * Creates the partition {@code partition} (qualified and quoted) for [{@code from}, {@code to}).
   */
  static void createTable(
      Connection tx, OutboxTables tables, String partition, Instant from, Instant to)
      throws SQLException {
    try {
      execute(tx, String.format(CREATE_PARTITION, partition, parent(tables), from, to));
    } catch (SQLException e) {
      if (!DUPLICATE_TABLE.equals(e.getSQLState())) {
        throw e;
      }
      throw new SQLException(
          "cannot create partition "
              + partition
              + " of "
              + parent(tables)
              + ": a table of that name exists and is not a partition of it; rename or drop that"
              + " table",
          DUPLICATE_TABLE,
          e);
    }
  }

  static void detachCatchAll(Connection tx, OutboxTables tables, Partition catchAll)
      throws SQLException {
    execute(tx, String.format(DETACH_CATCH_ALL, parent(tables), name(catchAll)));
  }

  static void attachCatchAll(Connection tx, OutboxTables tables, Partition catchAll)
      throws SQLException {
    execute(tx, String.format(ATTACH_CATCH_ALL, parent(tables), name(catchAll)));
  }

  /**
   * Moves the rows created in [{@code from}, {@code to}) from the detached {@code catchAll} into
   * the table, which routes them to their new partition.
   *
   * @return how many rows moved
   */
  static long moveRows(
      Connection tx, OutboxTables tables, Partition catchAll, Instant from, Instant to)
      throws SQLException {
    String columns = PostgresPartitionCatalog.columns(tx, tables);
    String sql = String.format(MOVE_ROWS, name(catchAll), parent(tables), columns);
    try (PreparedStatement ps = tx.prepareStatement(sql)) {
      ps.setObject(1, PostgresDialect.utc(from));
      ps.setObject(2, PostgresDialect.utc(to));
      return ps.executeUpdate();
    }
  }

  static void drop(Connection tx, Partition partition) throws SQLException {
    execute(tx, String.format(DROP_PARTITION, name(partition)));
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
