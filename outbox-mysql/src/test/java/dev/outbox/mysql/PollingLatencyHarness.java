package dev.outbox.mysql;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures commit-to-send latency on MySQL or MariaDB, where relays poll: the time from the
 * producer's {@code commit()} returning to the sender receiving the message. Prints what it
 * measured; asserts nothing. Run with {@code mvn -B verify -pl outbox-mysql -am -Platency
 * -DskipTests} (the database is found as for the tests).
 */
public final class PollingLatencyHarness {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final MySqlTestDatabase db;
  private final HikariDataSource dataSource;
  private final Map<UUID, Long> receivedAt = new ConcurrentHashMap<>();
  private final Random random = new Random(7);
  private int run;

  private PollingLatencyHarness(MySqlTestDatabase db) {
    this.db = db;
    this.dataSource = db.dataSource("latency", 8);
  }

  public static void main(String[] args) throws Exception {
    try (MySqlTestDatabase db = MySqlTestDatabase.create()) {
      PollingLatencyHarness harness = new PollingLatencyHarness(db);
      try {
        harness.printServer();
        harness.idle("idle relay, pollInterval 1 s (default)", Duration.ofSeconds(1), 20);
        harness.idle("idle relay, pollInterval 200 ms", Duration.ofMillis(200), 20);
        harness.steady("steady 100 msg/s for 10 s, pollInterval 1 s", 100, 1000);
      } finally {
        harness.dataSource.close();
      }
    }
  }

  private void printServer() throws Exception {
    try (Connection c = dataSource.getConnection()) {
      System.out.printf(
          "server: %s %s; %d cores; latency = commit() returned -> Sender.send() called%n",
          c.getMetaData().getDatabaseProductName(),
          c.getMetaData().getDatabaseProductVersion(),
          Runtime.getRuntime().availableProcessors());
    }
  }

  /** One message at a time, each after the relay has been idle long enough to back off fully. */
  private void idle(String name, Duration pollInterval, int samples) throws Exception {
    Setup s = setUp(pollInterval);
    List<Long> latencies = new ArrayList<>();
    try (OutboxRelay relay = s.relay) {
      relay.start();
      for (int i = 0; i < samples; i++) {
        long idleMillis = pollInterval.toMillis() * 3 / 2 + random.nextInt(1000);
        Thread.sleep(idleMillis);
        latencies.add(sendOne(s.outbox));
      }
    }
    print(name, latencies);
  }

  /** A producer commits one message every {@code 1000 / perSecond} ms. */
  private void steady(String name, int perSecond, int messages) throws Exception {
    Setup s = setUp(Duration.ofSeconds(1));
    List<UUID> ids = new ArrayList<>(messages);
    List<Long> committedAt = new ArrayList<>(messages);
    long gapNanos = 1_000_000_000L / perSecond;
    try (OutboxRelay relay = s.relay) {
      relay.start();
      long next = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        next += gapNanos;
        ids.add(commitOne(s.outbox));
        committedAt.add(System.nanoTime());
        Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
      }
      awaitAll(ids);
    }
    List<Long> latencies = new ArrayList<>(messages);
    for (int i = 0; i < messages; i++) {
      latencies.add(receivedAt.get(ids.get(i)) - committedAt.get(i));
    }
    print(name, latencies);
  }

  private record Setup(JdbcOutbox outbox, OutboxRelay relay) {}

  private Setup setUp(Duration pollInterval) {
    OutboxTables tables = new OutboxTables(db.schema(), "latency_" + ++run);
    OutboxMigrations.migrate(dataSource, db.dialect(), tables);
    JdbcOutbox outbox = JdbcOutbox.builder(db.dialect()).tables(tables).build();
    OutboxRelay relay =
        OutboxRelay.builder(
                dataSource,
                db.dialect(),
                batch -> {
                  long now = System.nanoTime();
                  batch.forEach(r -> receivedAt.put(r.messageId(), now));
                  return CompletableFuture.completedFuture(Outcome.allSent(batch));
                })
            .tables(tables)
            .name("latency-" + run)
            .pollInterval(pollInterval)
            .build();
    return new Setup(outbox, relay);
  }

  private long sendOne(JdbcOutbox outbox) throws Exception {
    UUID id = commitOne(outbox);
    long committed = System.nanoTime();
    awaitAll(List.of(id));
    return receivedAt.get(id) - committed;
  }

  private UUID commitOne(JdbcOutbox outbox) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      UUID id = outbox.add(c, OutboxMessage.of("latency", null, "x"));
      c.commit();
      return id;
    }
  }

  private void awaitAll(List<UUID> ids) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!receivedAt.keySet().containsAll(ids)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("messages not delivered within " + TIMEOUT);
      }
      Thread.sleep(1);
    }
  }

  private static void print(String name, List<Long> nanos) {
    List<Long> sorted = nanos.stream().sorted().toList();
    double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
    System.out.printf(
        Locale.ROOT,
        "%-45s n=%4d  p50=%7.1f ms  p90=%7.1f ms  p99=%7.1f ms  max=%7.1f ms  mean=%7.1f ms%n",
        name,
        sorted.size(),
        percentile(sorted, 50),
        percentile(sorted, 90),
        percentile(sorted, 99),
        sorted.get(sorted.size() - 1) / 1e6,
        mean);
  }

  private static double percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index)) / 1e6;
  }
}
