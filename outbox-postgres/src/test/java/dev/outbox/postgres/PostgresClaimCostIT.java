package dev.outbox.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRecord;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.testkit.OutboxContractSupport;
import dev.outbox.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a per-key claim reads, counted by PostgreSQL's own statistics of the message table's
 * indexes: about what it returns, whatever the backlog, so that a plan that reads the whole pending
 * index (a hash join of the runs to it, a sort of every pending row) fails here rather than only in
 * the benchmark.
 */
class PostgresClaimCostIT extends OutboxContractSupport {

  private static final int BACKLOG = 20_000;
  private static final int BATCH = 100;

  /** Index entries one claim may read per message it returns, with room for the key probes. */
  private static final int READS_PER_MESSAGE = 8;

  @Override
  protected TestDatabase openDatabase() {
    return PostgresTestDatabase.create();
  }

  @ParameterizedTest(name = "{0} keys")
  @ValueSource(ints = {1, 10, 100, 2_000})
  void aPerKeyClaimReadsAboutWhatItReturnsWhateverTheBacklog(int keys) throws Exception {
    enlistRoundRobin(BACKLOG, keys);
    try (Connection c = dataSource.getConnection()) {
      analyze(c); // the planner knows how few keys hold the backlog
      assertOneClaimReadsAboutWhatItReturns(c, BACKLOG);
    }
  }

  /**
   * The table is freshly created, so it has never been analysed (TRUNCATE would keep statistics):
   * the planner guesses the backlog's size from the table's pages and its keys from defaults. The
   * claim must read no more than on an analysed table, at any size of backlog.
   */
  @ParameterizedTest(name = "{1} messages over {0} keys")
  @CsvSource({"1, 20000", "10, 20000", "1000, 20000", "1000, 100000"})
  void aPerKeyClaimOnANeverAnalysedBacklogReadsAboutWhatItReturns(int keys, int backlog)
      throws Exception {
    enlistRoundRobin(backlog, keys);
    try (Connection c = dataSource.getConnection()) {
      assertOneClaimReadsAboutWhatItReturns(c, backlog);
    }
  }

  /**
   * Messages scheduled for tomorrow hold the oldest ids; a claim of today's messages, in either
   * ordering, reads none of them: they are not in the indexes the claims read.
   */
  @ParameterizedTest(name = "per key: {0}")
  @ValueSource(booleans = {false, true})
  void aClaimReadsPastNoScheduledMessage(boolean perKey) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<OutboxMessage> chunk = new ArrayList<>(1_000);
      for (int i = 0; i < BACKLOG; i++) {
        chunk.add(OutboxMessage.builder("t").payload("later").delay(Duration.ofDays(1)).build());
        if (chunk.size() == 1_000) {
          outbox.addAll(c, chunk);
          chunk.clear();
        }
      }
      c.commit();
    }
    enlistMany(BATCH, "t", null);
    try (Connection c = dataSource.getConnection()) {
      long before = rowsRead(c);
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      ClaimRequest request =
          new ClaimRequest(
              BATCH,
              now,
              UUID.randomUUID(),
              now.plus(Duration.ofMinutes(1)),
              perKey,
              null,
              true,
              0);
      int claimed = dialect.claim(c, tables, request).records().size();
      long read = rowsRead(c) - before;
      assertThat(claimed).isEqualTo(BATCH);
      assertThat(read)
          .as("index entries read to claim %d messages behind %d scheduled ones", BATCH, BACKLOG)
          .isLessThanOrEqualTo((long) READS_PER_MESSAGE * BATCH);
    }
  }

  private void assertOneClaimReadsAboutWhatItReturns(Connection c, int backlog) throws Exception {
    long before = rowsRead(c);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    ClaimRequest request =
        new ClaimRequest(
            BATCH, now, UUID.randomUUID(), now.plus(Duration.ofMinutes(1)), true, null, false, 0);
    int claimed = dialect.claim(c, tables, request).records().size();
    long read = rowsRead(c) - before;

    assertThat(claimed).isEqualTo(BATCH);
    assertThat(read)
        .as("rows and index entries read by one claim of %d over a backlog of %d", BATCH, backlog)
        .isLessThanOrEqualTo((long) READS_PER_MESSAGE * BATCH);
  }

  /**
   * An acknowledgement first planned while the table was empty (a new table or partition, analysed
   * before it filled) reads only its own rows once the table is full. A prepared statement keeps
   * its plan until the statistics change, and the plan for an empty table is a sequential scan: it
   * read the whole table for every batch until the next ANALYZE.
   */
  @Test
  void anAcknowledgementFirstPlannedOnAnEmptyTableReadsOnlyItsRowsOnceTheTableIsFull()
      throws Exception {
    try (Connection c = dataSource.getConnection()) {
      analyze(c); // the statistics say empty
      for (long id = 1; id <= 10; id++) {
        // past the driver's threshold for a server-side statement, so its plan is kept
        dialect.ack(c, tables, sent(UUID.randomUUID(), List.of(-id)));
      }
      enlistRoundRobin(BACKLOG, 1);
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      UUID token = UUID.randomUUID();
      ClaimRequest request =
          new ClaimRequest(
              BATCH, now, token, now.plus(Duration.ofMinutes(1)), false, null, false, 0);
      List<Long> ids =
          dialect.claim(c, tables, request).records().stream().map(OutboxRecord::id).toList();
      assertThat(ids).hasSize(BATCH);

      long before = rowsRead(c);
      int acknowledged = dialect.ack(c, tables, sent(token, ids)).sent().size();
      long read = rowsRead(c) - before;

      assertThat(acknowledged).isEqualTo(BATCH);
      assertThat(read)
          .as("rows and index entries read by one acknowledgement of %d in %d", BATCH, BACKLOG)
          .isLessThanOrEqualTo((long) READS_PER_MESSAGE * BATCH);
    }
  }

  private AckBatch sent(UUID token, List<Long> ids) {
    return new AckBatch(token, clock.instant(), ids, List.of(), List.of());
  }

  private void enlistRoundRobin(int backlog, int keys) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<OutboxMessage> chunk = new ArrayList<>(1_000);
      for (int i = 0; i < backlog; i++) {
        chunk.add(OutboxMessage.of("t", "key-" + (i % keys), Integer.toString(i / keys)));
        if (chunk.size() == 1_000) {
          outbox.addAll(c, chunk);
          chunk.clear();
        }
      }
      c.commit();
    }
  }

  private void analyze(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("ANALYZE " + messageTable());
    }
  }

  /**
   * Index entries, and rows of sequential scans, read from the message table's partitions so far,
   * this session's included: its pending statistics are flushed first (PostgreSQL 15 and later;
   * before 15 a backend sends them at most every half second, so this waits a little over a second
   * instead).
   */
  private long rowsRead(Connection c) throws SQLException, InterruptedException {
    try (Statement s = c.createStatement()) {
      if (c.getMetaData().getDatabaseMajorVersion() >= 15) {
        s.execute("SELECT pg_stat_force_next_flush()");
      } else {
        Thread.sleep(1_200);
      }
      s.execute("SELECT pg_stat_clear_snapshot()");
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes"
                + "          WHERE schemaname = ? AND relname LIKE ?)"
                + "     + (SELECT coalesce(sum(seq_tup_read), 0) FROM pg_stat_user_tables"
                + "          WHERE schemaname = ? AND relname LIKE ?)")) {
      ps.setString(1, tables.schema());
      ps.setString(2, tables.table() + "%");
      ps.setString(3, tables.schema());
      ps.setString(4, tables.table() + "%");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
