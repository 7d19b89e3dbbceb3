package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real restart of the database server under a working relay. It stops the server the tests use,
 * so it runs only on request: tagged {@code restart}, run by the build's {@code restart} profile
 * and excluded otherwise. The server is started again whatever happens.
 */
@Tag("restart")
public abstract class RestartContract extends OutboxContractSupport {

  /** How long the server stays down. */
  private static final Duration DOWN = Duration.ofSeconds(3);

  /** The shell command that stops the database server and returns once it is down. */
  protected abstract String stopCommand();

  /** The shell command that starts the database server again. */
  protected abstract String startCommand();

  /**
   * The server stopped while batches are in flight and started again 3 seconds later: the relay
   * rides it out, acknowledgements that failed are tried again within their lease, and producers
   * carry on afterwards; nothing is lost and nothing is sent twice.
   */
  @Test
  public final void aRealRestartOfTheDatabaseLosesNothingAndSendsNothingTwice() throws Exception {
    LinkedHashMap<UUID, String> committed = enlistKeyed(2000, 20);
    List<UUID> delivered = new CopyOnWriteArrayList<>();
    HikariDataSource pool = closeAfterTest(db.dataSource("restarted", 4));
    pool.getHikariConfigMXBean().setConnectionTimeout(1000);
    // About 400 messages a second, so the restart meets batches in flight.
    Sender slow =
        batch -> {
          batch.stream().map(OutboxRecord::messageId).forEach(delivered::add);
          return CompletableFuture.supplyAsync(
              () -> Outcome.allSent(batch),
              CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        };
    OutboxRelay relay =
        closeAfterTest(
            OutboxRelay.builder(pool, dialect, slow)
                .tables(tables)
                .name("restart")
                .batchSize(20)
                .maxBatchesInFlight(1)
                .pollInterval(Duration.ofMillis(100))
                .errorListener((name, e) -> {})
                .build());
    relay.start();
    await("the first batches sent").atMost(Duration.ofSeconds(30)).until(() -> sentOrZero() >= 200);

    restartTheServer();
    committed.putAll(enlistKeyed(200, 20));
    await("everything sent").atMost(Duration.ofSeconds(120)).until(() -> sentOrZero() == 2200);
    assertThat(deadRows()).isZero();
    FaultFigures f = faults("database-restarted-3s", committed, delivered);
    f.assertNoneLostNoneOutOfOrder();
    assertThat(f.duplicates()).as("failed acks were tried again: nothing was sent twice").isZero();
  }

  private void restartTheServer() throws Exception {
    run(stopCommand());
    try {
      Thread.sleep(DOWN.toMillis());
    } finally {
      run(startCommand());
      awaitServer();
    }
  }

  private static void run(String command) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", command).inheritIO().start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new AssertionError("'" + command + "' failed or did not end within 2 minutes");
    }
  }

  private void awaitServer() throws InterruptedException {
    await("the database server accepts connections again")
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              try (Connection c = dataSource.getConnection()) {
                return c.isValid(5);
              } catch (SQLException e) {
                return false;
              }
            });
  }

  /** Sent rows, or 0 while the pool still hands out a connection the restart broke. */
  private long sentOrZero() {
    try {
      return rowsWithStatus(1);
    } catch (SQLException e) {
      return 0;
    }
  }
}
