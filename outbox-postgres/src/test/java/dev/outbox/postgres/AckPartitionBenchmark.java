package dev.outbox.postgres;

import dev.outbox.testkit.AckPartitionHarness;

/**
 * {@link AckPartitionHarness} on PostgreSQL (found as the tests find it):
 *
 * <pre>
 * mvn -B -q -pl outbox-postgres -am -Pack-bench -DskipTests verify
 * </pre>
 */
public final class AckPartitionBenchmark {
  private AckPartitionBenchmark() {}

  /** Runs the measurement once and prints it. */
  public static void main(String[] args) throws Exception {
    try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
      AckPartitionHarness.run(db);
    }
  }
}
