package dev.outbox.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxRelay;
import dev.outbox.spi.OutboxDialect;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

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
