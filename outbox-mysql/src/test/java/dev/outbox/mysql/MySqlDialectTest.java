package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.spi.NewRow;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MySqlDialectTest {
  private final MySqlDialect dialect = new MySqlDialect();

  @Test
  void errorsMySqlReportsWithAGenericSqlStateAreTransientByTheirErrorCode() {
    assertThat(dialect.isTransient(new SQLException("read-only", "HY000", 1290))).isTrue();
    assertThat(dialect.isTransient(new SQLException("read-only mode", "HY000", 1836))).isTrue();
    assertThat(dialect.isTransient(new SQLException("killed", "70100", 1927))).isTrue();
    assertThat(dialect.isTransient(new SQLException("lock wait", "HY000", 1205))).isTrue();
  }

  @Test
  void transientCodeFurtherDownTheExceptionChainCounts() {
    SQLException batch = new SQLException("batch failed", "HY000", 1105);
    batch.setNextException(new SQLException("deadlock", "HY000", 1213));
    assertThat(dialect.isTransient(batch)).isTrue();
  }

  @Test
  void missingTablesBadSqlAndConstraintViolationsArePermanent() {
    assertThat(dialect.isTransient(new SQLException("no table", "42S02", 1146))).isFalse();
    assertThat(dialect.isTransient(new SQLException("syntax", "42000", 1064))).isFalse();
    assertThat(dialect.isTransient(new SQLException("check", "23000", 4025))).isFalse();
    assertThat(dialect.isTransient(new SQLException("check", "HY000", 3819))).isFalse();
  }

  @Test
  void connectionFailuresAreTransientBySqlState() {
    assertThat(dialect.isTransient(new SQLException("link failure", "08S01", 0))).isTrue();
  }

  @Test
  void manySmallMessagesAreInsertedAThousandRowsPerStatement() {
    List<NewRow> rows = rows(2500, 10);
    assertThat(MySqlDialect.chunkEnd(rows, 0)).isEqualTo(1000);
    assertThat(MySqlDialect.chunkEnd(rows, 2000)).isEqualTo(2500);
  }

  @Test
  void largeMessagesAreSplitSoThatNoStatementCarriesMoreThanTheChunkBytes() {
    int payload = 1024 * 1024;
    List<NewRow> rows = rows(10, payload);
    int end = MySqlDialect.chunkEnd(rows, 0);
    assertThat(end).isBetween(1, 9);
    assertThat((long) end * payload).isLessThanOrEqualTo(MySqlDialect.INSERT_CHUNK_BYTES);
  }

  @Test
  void aMessageLargerThanTheChunkBytesGoesAloneAndIsNeverSkipped() {
    int huge = (int) MySqlDialect.INSERT_CHUNK_BYTES + 1;
    List<NewRow> rows = rows(3, huge);
    assertThat(MySqlDialect.chunkEnd(rows, 0)).isEqualTo(1);
    assertThat(MySqlDialect.chunkEnd(rows, 2)).isEqualTo(3);
  }

  private static List<NewRow> rows(int n, int payloadBytes) {
    List<NewRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(
          new NewRow(UUID.randomUUID(), "t", "k", new byte[payloadBytes], "{}", Instant.EPOCH));
    }
    return rows;
  }
}
