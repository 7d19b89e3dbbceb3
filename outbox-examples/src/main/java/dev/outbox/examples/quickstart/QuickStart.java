package dev.outbox.examples.quickstart;

import dev.outbox.Backoff;
import dev.outbox.JdbcOutbox;
import dev.outbox.Ordering;
import dev.outbox.Outbox;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.postgres.PostgresDialect;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;

/** The README's Quick start: one order and its message, enlisted together and delivered. */
public final class QuickStart {
  private QuickStart() {}

  /** Runs against the JDBC URL in {@code args[0]}, else the local PostgreSQL. */
  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/postgres";

    // dataSource: your application's DataSource; in production its connection pool (HikariCP).
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(url);
    dataSource.setUser("postgres");

    // 1. Create the outbox tables (or at deploy time, with the Flyway CLI or Maven plugin).
    OutboxMigrations.migrate(dataSource, new PostgresDialect());
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS orders (id uuid PRIMARY KEY, customer text)");
    }

    // 2. Enlist a message in your own transaction, next to your business write.
    Outbox<Connection> outbox = JdbcOutbox.builder(new PostgresDialect()).build();
    UUID orderId = UUID.randomUUID();
    UUID messageId;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO orders (id, customer) VALUES (?, ?)")) {
        ps.setObject(1, orderId); // your business write
        ps.setString(2, "customer-42");
        ps.executeUpdate();
      }
      messageId =
          outbox.add(
              c,
              OutboxMessage.builder("orders")
                  .key("customer-42") // ordering key (may be null)
                  .payload("{\"orderId\":\"" + orderId + "\"}") // bytes or UTF-8 text
                  .header("type", "order.created")
                  .build());
      c.commit(); // both or neither
    }

    // 3. A Sender for your broker: one Outcome per record, asynchronously.
    CountDownLatch delivered = new CountDownLatch(1);
    Sender sender =
        batch -> {
          List<CompletableFuture<Outcome>> each = new ArrayList<>();
          for (OutboxRecord r : batch) {
            each.add(
                publish(r) // your broker client, async
                    .thenApply(
                        ok -> {
                          if (r.messageId().equals(messageId)) {
                            delivered.countDown();
                          }
                          return Outcome.sent(r);
                        })
                    .exceptionally(
                        e ->
                            isPermanent(e)
                                ? Outcome.dead(r, e.toString()) // dead-lettered now
                                : Outcome.retry(r, e))); // retried after the backoff
          }
          return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
              .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
        };

    // 4. Run the relay in the background; openTelemetry: your SDK, or noop() without one.
    OpenTelemetry openTelemetry = OpenTelemetry.noop();
    try (OutboxRelay relay =
        OutboxRelay.builder(dataSource, new PostgresDialect(), sender)
            .batchSize(100)
            .maxAttempts(10)
            .backoff(Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5)))
            .ordering(Ordering.PER_KEY)
            .openTelemetry(openTelemetry)
            .build()) {
      relay.start();
      if (!delivered.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("message " + messageId + " not delivered in 30 s");
      }
    } // close(): stops claiming, lets the batches in flight finish (bounded), stops its threads
    System.out.println("delivered message " + messageId + " for order " + orderId);
  }

  /** Stands in for your broker client's asynchronous publish. */
  private static CompletableFuture<Void> publish(OutboxRecord r) {
    System.out.println("publish " + r.topic() + " key=" + r.key() + " " + r.payloadAsString());
    return CompletableFuture.completedFuture(null);
  }

  /** Whether the broker rejected the message itself (retrying cannot help). */
  private static boolean isPermanent(Throwable e) {
    return e instanceof IllegalArgumentException;
  }
}
