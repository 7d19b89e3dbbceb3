package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OutboxRecord;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.testkit.InFlightContract;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PostgresInFlightIT extends InFlightContract {
  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @Test
  void batchesAcknowledgedTogetherShareOneTransactionAndEachKeepsItsFence() throws Exception {
    enlistMany(30, "t", null);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Instant until = now.plus(Duration.ofMinutes(1));
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    try (Connection c = dataSource.getConnection()) {
      List<Long> a =
          ids(dialect.claim(c, tables, ClaimRequest.unordered(10, now, first, until)).records());
      List<Long> b =
          ids(dialect.claim(c, tables, ClaimRequest.unordered(10, now, second, until)).records());
      // The second batch's last id is acknowledged under the first batch's token: the fence refuses
      // it.
      List<Long> wrongToken = List.of(b.get(9));
      List<AckResult> results =
          dialect.ackAll(
              c,
              tables,
              List.of(
                  new AckBatch(first, now, concat(a, wrongToken), List.of(), List.of()),
                  new AckBatch(second, now, b.subList(0, 9), List.of(), List.of())));
      assertThat(results.get(0).sent()).containsExactlyInAnyOrderElementsOf(a);
      assertThat(results.get(1).sent()).containsExactlyInAnyOrderElementsOf(b.subList(0, 9));
    }
    assertThat(rowsWithStatus(1)).isEqualTo(19);
    assertThat(
            queryLong(
                "SELECT count(DISTINCT xmin::text) FROM " + messageTable() + " WHERE status = 1"))
        .as("both batches written by one transaction")
        .isEqualTo(1);
  }

  private static List<Long> ids(List<OutboxRecord> records) {
    return records.stream().map(OutboxRecord::id).toList();
  }

  private static List<Long> concat(List<Long> a, List<Long> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}
