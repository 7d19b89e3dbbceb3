package dev.outbox.bench;

import dev.outbox.OutboxTables;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * What the soak watches of the outbox table on PostgreSQL at one moment, summed over its
 * partitions: the heap, all indexes, the three pending indexes the claim reads, the dead tuples
 * vacuum has not removed yet and the autovacuum runs so far.
 *
 * @param at when it was read ({@link System#nanoTime()})
 * @param heapBytes the partitions' heap
 * @param indexBytes every index of the partitions
 * @param pendingIndexBytes the pending, pending-key and pending-unkeyed indexes
 * @param deadTuples {@code pg_stat_user_tables.n_dead_tup}
 * @param autovacuums {@code pg_stat_user_tables.autovacuum_count} of the partitions there now
 * @param partitions the partitions, the catch-all included
 */
record SoakStats(
    long at,
    long heapBytes,
    long indexBytes,
    long pendingIndexBytes,
    long deadTuples,
    long autovacuums,
    long partitions) {

  private static final String READ =
      """
      WITH parts AS (SELECT relid FROM pg_partition_tree(to_regclass(?)) WHERE isleaf),
           pending AS (SELECT t.relid FROM unnest(?::text[]) AS i(name),
                              LATERAL pg_partition_tree(to_regclass(i.name)) t
                        WHERE t.isleaf)
      SELECT (SELECT coalesce(sum(pg_relation_size(relid)), 0) FROM parts),
             (SELECT coalesce(sum(pg_indexes_size(relid)), 0) FROM parts),
             (SELECT coalesce(sum(pg_relation_size(relid)), 0) FROM pending),
             (SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables
               WHERE relid IN (SELECT relid FROM parts)),
             (SELECT coalesce(sum(autovacuum_count), 0) FROM pg_stat_user_tables
               WHERE relid IN (SELECT relid FROM parts)),
             (SELECT count(*) FROM parts)
      """;

  /** Reads the figures of {@code t}'s message table now. */
  static SoakStats read(DataSource ds, OutboxTables t) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(READ)) {
      String[] pending = {
        name(t, t.table() + "_pending_idx"),
        name(t, t.table() + "_pending_key_idx"),
        name(t, t.table() + "_pending_unkeyed_idx")
      };
      Array names = c.createArrayOf("text", pending);
      ps.setString(1, name(t, t.table()));
      ps.setArray(2, names);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new SoakStats(
            System.nanoTime(),
            rs.getLong(1),
            rs.getLong(2),
            rs.getLong(3),
            rs.getLong(4),
            rs.getLong(5),
            rs.getLong(6));
      } finally {
        names.free();
      }
    }
  }

  private static String name(OutboxTables t, String relation) {
    return '"' + t.schema() + "\".\"" + relation + '"';
  }
}
