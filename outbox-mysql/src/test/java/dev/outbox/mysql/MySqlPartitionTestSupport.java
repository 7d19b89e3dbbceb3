package dev.outbox.mysql;

import dev.outbox.OutboxTables;
import dev.outbox.spi.Partition;
import dev.outbox.testkit.PartitionContractSupport;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What the MySQL partition tests share: a fresh MySQL or MariaDB database, and helpers that look at
 * partitions, tables and sessions the way an operator would.
 */
abstract class MySqlPartitionTestSupport extends PartitionContractSupport {
  @Override
  protected TestDatabase openDatabase() {
    return MySqlTestDatabase.create();
  }

  /**
   * Whether a session waits for the metadata lock of this test's table (the server is shared, so
   * the statement must name this test's database too).
   */
  protected boolean someoneWaitsForTheTable() {
    return unchecked(
            () ->
                queryLong(
                    "SELECT count(*) FROM information_schema.processlist"
                        + " WHERE state = 'Waiting for table metadata lock'"
                        + " AND info LIKE CONCAT('%', ?, '%', ?, '%')",
                    tables.schema(), tables.table()))
        > 0;
  }

  /** Rows in one partition of this test's message table. */
  protected long rowsIn(String partition) throws SQLException {
    return queryLong("SELECT count(*) FROM " + messageTable() + " PARTITION (" + partition + ")");
  }

  /** The partitions of {@code t}, through the dialect. */
  protected List<Partition> partitionsOf(OutboxTables t) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return dialect.partitions().partitions(c, t);
    }
  }

  /** 1 if {@code schema.table} exists, else 0. */
  protected long tableCount(String schema, String table) throws SQLException {
    return queryLong(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        schema,
        table);
  }
}
