package dev.outbox.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxRelay;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.OutboxTables;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A relay in its own JVM, for crash tests: claims one batch, prints {@code CLAIMED <n>}, and hangs
 * in the sender until the test kills the process.
 *
 * <p>Arguments: dialect class (with a no-argument constructor), JDBC URL, schema, table.
 */
public final class RelayProcess {
  /** The lease the process claims with. */
  static final Duration LEASE = Duration.ofSeconds(60);

  private RelayProcess() {}

  /** Starts a relay process on the test's table; it claims one batch and hangs. */
  static Process start(TestDatabase db, OutboxDialect dialect, OutboxTables tables)
      throws IOException {
    return startPipelined(db, dialect, tables, 1);
  }

  /**
   * Starts a relay process on the test's table with {@code inFlight} batches in flight (of 10
   * messages each when more than one); it keeps claiming until that many batches hang in its
   * sender.
   */
  static Process startPipelined(
      TestDatabase db, OutboxDialect dialect, OutboxTables tables, int inFlight)
      throws IOException {
    return ChildJvm.start(
        RelayProcess.class,
        dialect.getClass().getName(),
        db.jdbcUrl(),
        tables.schema(),
        tables.table(),
        Integer.toString(inFlight));
  }

  /** Waits up to a minute for {@code count} {@code CLAIMED <n>} lines. */
  static void awaitClaims(Process p, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      awaitClaim(p);
    }
  }

  private static final Map<Process, BufferedReader> READERS = new ConcurrentHashMap<>();

  /** Waits up to a minute for the process's next {@code CLAIMED <n>} line and returns it. */
  static String awaitClaim(Process p) throws Exception {
    List<String> output = new ArrayList<>();
    BufferedReader r =
        READERS.computeIfAbsent(
            p,
            process ->
                new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String l;
                while ((l = r.readLine()) != null) {
                  output.add(l);
                  if (l.startsWith("CLAIMED ")) {
                    return l;
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    String found = line.get(60, TimeUnit.SECONDS);
    if (found == null) {
      throw new AssertionError("relay process ended without claiming: " + output);
    }
    return found;
  }

  /** SIGKILL: no shutdown hook, no acknowledgement, no lease released. */
  static void kill(Process p) throws InterruptedException {
    READERS.remove(p);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    OutboxDialect dialect =
        (OutboxDialect) Class.forName(args[0]).getDeclaredConstructor().newInstance();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[1]);
    config.setMaximumPoolSize(3);
    int inFlight = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    try (HikariDataSource ds = new HikariDataSource(config)) {
      OutboxRelay.Builder builder =
          OutboxRelay.builder(
                  ds,
                  dialect,
                  batch -> {
                    System.out.println("CLAIMED " + batch.size());
                    System.out.flush();
                    return new CompletableFuture<>(); // never answers
                  })
              .schema(args[2])
              .table(args[3])
              .name("doomed")
              .leaseDuration(LEASE)
              .sendTimeout(LEASE.minusSeconds(10));
      if (inFlight == 1) {
        builder.build().runOnce();
        System.out.println("UNEXPECTED: the cycle ended");
        return;
      }
      builder.batchSize(10).maxBatchesInFlight(inFlight).build().start();
      Thread.sleep(LEASE.toMillis()); // the test kills the process long before
    }
  }
}
