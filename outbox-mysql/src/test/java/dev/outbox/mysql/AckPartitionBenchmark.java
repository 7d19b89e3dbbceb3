package dev.outbox.mysql;

import dev.outbox.testkit.AckPartitionHarness;

/**
 * {@link AckPartitionHarness} on MySQL or MariaDB (found as the tests find it):
 *
 * <pre>
 * mvn -B -q -pl outbox-mysql -am -Pack-bench -DskipTests verify
 * </pre>
 */
public final class AckPartitionBenchmark {
  private AckPartitionBenchmark() {}

  /** Runs the measurement once and prints it. */
  public static void main(String[] args) throws Exception {
    try (MySqlTestDatabase db = MySqlTestDatabase.create()) {
      AckPartitionHarness.run(db);
    }
  }
}
