package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.testkit.PartitionContract;
import dev.outbox.testkit.TestDatabase;
import org.junit.jupiter.api.Test;

class PostgresPartitionIT extends PartitionContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  /** The storage settings of every partition, sorted, one row per partition. */
  private static final String PARTITION_SETTINGS =
      """
      SELECT count(DISTINCT array_to_string(ARRAY(SELECT unnest(c.reloptions) ORDER BY 1), ','))
        FROM pg_partition_tree(to_regclass(?)) t JOIN pg_class c ON c.oid = t.relid
       WHERE t.isleaf
      """;

  @Test
  void partitionsMaintenanceCreatesHaveTheMigrationsFillfactorAndAutovacuumSettings()
      throws Exception {
    maintenance().runOnce();
    String parent = messageTable();
    assertThat(queryLong("SELECT count(*) FROM pg_partition_tree(to_regclass(?))", parent))
        .as("the catch-all and four daily partitions, below the parent")
        .isEqualTo(6);
    assertThat(
            queryString(
                "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = to_regclass(?)",
                parent + "_default"))
        .contains(
            "fillfactor=50",
            "autovacuum_vacuum_scale_factor=0.01",
            "autovacuum_vacuum_threshold=1000",
            "autovacuum_vacuum_cost_limit=2000");
    assertThat(queryLong(PARTITION_SETTINGS, parent))
        .as("every partition has the catch-all's settings")
        .isEqualTo(1);
  }
}
