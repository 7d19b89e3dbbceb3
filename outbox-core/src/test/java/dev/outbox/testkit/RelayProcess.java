package dev.outbox.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxRelay;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.spi.OutboxTables;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            RelayProcess.class.getName(),
            dialect.getClass().getName(),
            db.jdbcUrl(),
            tables.schema(),
            tables.table())
        .redirectErrorStream(true)
        .start();
  }

  /** Waits up to a minute for the process's {@code CLAIMED <n>} line and returns it. */
  static String awaitClaim(Process p) throws Exception {
    List<String> output = new ArrayList<>();
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
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
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    OutboxDialect dialect =
        (OutboxDialect) Class.forName(args[0]).getDeclaredConstructor().newInstance();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[1]);
    config.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(config)) {
      OutboxRelay relay =
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
              .sendTimeout(LEASE.minusSeconds(10))
              .build();
      relay.runOnce();
      System.out.println("UNEXPECTED: the cycle ended");
    }
  }
}
