package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.DuplicateMessageException;
import dev.outbox.JdbcOutbox;
import dev.outbox.OnDuplicate;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.inbox.Inbox;
import dev.outbox.testkit.RelayProcess.SenderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * "Effect exactly once" from a producer's transaction to a consumer's, through a real broker, on a
 * real database: the pieces a broker test puts together around its own consumer.
 *
 * <ol>
 *   <li>{@link #placeOrders}: a shop places {@link #ORDERS} orders, each an order row and its
 *       message (idempotency key = the order id) in one transaction; every fifth request is retried
 *       at once in a new transaction, as a client whose response was lost would, and every tenth
 *       once more, late, in {@link #relayKilledMidBatch}. No retry writes a second message or order
 *       row.
 *   <li>{@link #relayKilledMidBatch}: relay processes ({@link RelayProcess#startThrough}, the real
 *       sender) killed with SIGKILL mid-batch, {@link #KILLS} times, then one more that delivers
 *       what is left once their leases ({@link #LEASE}) ran out, the part of a batch the broker had
 *       taken before a kill included: the broker gets those messages twice.
 *   <li>{@link #consume}: the test's consumer hands over every delivery it gets; each is one
 *       database transaction that records the message id in an {@link Inbox} and, the first time
 *       only, applies the effect (a row in an effects table without a unique constraint, so that a
 *       second effect would show), committed together.
 *   <li>{@link #assertEffectOnce}: each order's effect exactly once, nothing lost, and duplicates
 *       seen where they should be. Prints one {@code effect-once:} line with the figures.
 * </ol>
 */
public final class EffectOnce implements AutoCloseable {
  /** Orders placed: messages enlisted. */
  public static final int ORDERS = 300;

  /** The consumer's name in the inbox. */
  public static final String CONSUMER = "billing";

  /** Relay processes killed mid-batch. */
  public static final int KILLS = 3;

  /** The relay processes' lease: how long a killed one's claims wait before another takes them. */
  public static final Duration LEASE = Duration.ofSeconds(3);

  private final String label;
  private final OnDuplicate onDuplicate;
  private final TestDatabase db;
  private final HikariDataSource ds;
  private final OutboxTables tables;
  private final JdbcOutbox outbox;
  private final TestTelemetry telemetry = new TestTelemetry();
  private final Inbox inbox;
  private final LinkedHashMap<String, UUID> orders = new LinkedHashMap<>();
  private final Map<UUID, String> orderOf = new HashMap<>();
  private final AtomicInteger deliveries = new AtomicInteger();
  private final List<UUID> relaySends = new ArrayList<>();
  private String topic;
  private int retries;

  /**
   * Creates the outbox (idempotent enlist answering duplicates with {@code onDuplicate}), the inbox
   * and the shop's tables in {@code db}'s schema; {@code label} names the run in the figures line.
   */
  public EffectOnce(String label, TestDatabase db, OnDuplicate onDuplicate) throws SQLException {
    this.label = label;
    this.onDuplicate = onDuplicate;
    this.db = db;
    this.ds = db.dataSource("effect-once", 8);
    this.tables = new OutboxTables(db.schema(), "shop_outbox");
    OutboxMigrations.migrate(ds, db.dialect(), tables);
    this.outbox = JdbcOutbox.builder(db.dialect()).tables(tables).onDuplicate(onDuplicate).build();
    this.inbox =
        Inbox.builder(ds, db.dialect())
            .table(db.schema(), "billing_inbox")
            .openTelemetry(telemetry.sdk())
            .build();
    inbox.migrate();
    execute("CREATE TABLE " + table("shop_orders") + " (order_id VARCHAR(64) NOT NULL)");
    execute(
        "CREATE TABLE "
            + table("billing_effects")
            + " (order_id VARCHAR(64) NOT NULL, message_id VARCHAR(36) NOT NULL)");
  }

  /**
   * Places {@link #ORDERS} orders on {@code topic} (key and payload: the order id), retrying every
   * fifth request at once; checks that the outbox holds one message per order.
   */
  public void placeOrders(String topic) throws SQLException {
    this.topic = topic;
    for (int i = 0; i < ORDERS; i++) {
      String order = "order-" + i;
      UUID id = placeOrder(order);
      orders.put(order, id);
      orderOf.put(id, order);
      if (i % 5 == 0) {
        retry(order);
      }
    }
    assertOneMessageAndOneOrderRowEach();
  }

  /**
   * One request of the shop: the order row and the order's message, in one transaction. Under
   * {@link OnDuplicate#REFUSE} the row is written blindly and a duplicate request's transaction is
   * rolled back when the outbox refuses its message; under {@link OnDuplicate#RETURN_FIRST} the row
   * is written only if absent (the business write is idempotent itself) and the transaction
   * commits.
   */
  private UUID placeOrder(String order) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (onDuplicate == OnDuplicate.REFUSE || count(c, "shop_orders", order) == 0) {
          try (PreparedStatement ps =
              c.prepareStatement("INSERT INTO " + table("shop_orders") + " VALUES (?)")) {
            ps.setString(1, order);
            ps.executeUpdate();
          }
        }
        UUID id =
            outbox.add(
                c,
                OutboxMessage.builder(topic)
                    .key(order)
                    .payload(order)
                    .header("type", "order.placed")
                    .idempotencyKey(order)
                    .build());
        c.commit();
        return id;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** The same request again, in a new transaction: it must not write a second message. */
  private void retry(String order) throws SQLException {
    UUID first = orders.get(order);
    retries++;
    if (onDuplicate == OnDuplicate.REFUSE) {
      assertThatThrownBy(() -> placeOrder(order))
          .as("a retried request for %s", order)
          .isInstanceOfSatisfying(
              DuplicateMessageException.class,
              e -> assertThat(e.firstMessageId()).isEqualTo(first));
    } else {
      assertThat(placeOrder(order))
          .as("the message id a retried request for %s gets", order)
          .isEqualTo(first);
    }
  }

  /**
   * Starts relay processes through the sender {@code factory} builds from {@code config} and kills
   * each, {@link #KILLS} times, once it has sent 45, 52, 59 messages (the broker confirmed them,
   * the relay acknowledged none of the batch in progress); retries every tenth request late, when
   * many of their messages are delivered; then starts one more relay process and lets it deliver
   * the rest, leftovers of the killed ones included, until every message is recorded as sent.
   * Checks that the killed relays' unacknowledged sends were sent again.
   */
  public void relayKilledMidBatch(Class<? extends SenderFactory> factory, String config)
      throws Exception {
    RelayProcess.Starter starter =
        sent -> RelayProcess.startThrough(db, tables, sent, factory, config, LEASE);
    relaySends.addAll(RelayProcess.sentBeforeKills(KILLS, 45, 7, starter));
    for (int i = 0; i < ORDERS; i += 10) {
      retry("order-" + i);
    }
    assertOneMessageAndOneOrderRowEach();
    Path sent = Files.createTempFile("outbox-sent-", ".txt");
    Process survivor = starter.start(sent);
    try {
      await("every message recorded as sent")
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(100))
          .failFast("the last relay process ended", () -> !survivor.isAlive())
          .until(
              () -> count("SELECT count(*) FROM " + outboxTable() + " WHERE status = 1"),
              n -> n == ORDERS);
    } finally {
      RelayProcess.kill(survivor);
    }
    relaySends.addAll(RelayProcess.sent(sent));
    Files.delete(sent);
  }

  /**
   * The consumer's work for one delivery of the message {@code messageId} for {@code order}: one
   * transaction that records the id in the inbox and, the first time only, applies the effect; both
   * commit together. Thread-safe.
   *
   * @return whether this was the message's first time
   */
  public boolean consume(String messageId, String order) throws SQLException {
    deliveries.incrementAndGet();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        boolean first = inbox.firstTime(c, CONSUMER, messageId);
        if (first) {
          try (PreparedStatement ps =
              c.prepareStatement("INSERT INTO " + table("billing_effects") + " VALUES (?, ?)")) {
            ps.setString(1, order);
            ps.setString(2, messageId);
            ps.executeUpdate();
          }
        }
        c.commit();
        return first;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Effects applied so far. */
  public long effects() {
    return count("SELECT count(*) FROM " + table("billing_effects"));
  }

  /**
   * Checks the run, given the message id of every copy of a message the broker held (one entry per
   * copy, however often the consumer got it): every order's effect applied exactly once, by its own
   * message; nothing lost or dead-lettered; the broker held duplicates; the inbox turned duplicates
   * away. Prints the figures.
   */
  public void assertEffectOnce(List<String> brokerCopies) {
    FaultFigures relay =
        FaultFigures.print(label + " relay-kills=" + KILLS, committed(), relaySends);
    long inboxDuplicates = InboxContractSupport.sum(telemetry, "outbox.inbox.duplicates", CONSUMER);
    long inboxFirsts = InboxContractSupport.sum(telemetry, "outbox.inbox.processed", CONSUMER);
    Map<String, Long> effects = effectsPerOrder();
    System.out.printf(
        "effect-once: %s orders=%d retried-enlists=%d outbox-rows=%d relay-sends=%d"
            + " relay-resends=%d broker-copies=%d deliveries=%d inbox-firsts=%d"
            + " inbox-duplicates=%d effects=%d%n",
        label,
        ORDERS,
        retries,
        count("SELECT count(*) FROM " + outboxTable()),
        relaySends.size(),
        relay.duplicates(),
        brokerCopies.size(),
        deliveries.get(),
        inboxFirsts,
        inboxDuplicates,
        effects.values().stream().mapToLong(Long::longValue).sum());

    relay.assertNoneLostNoneOutOfOrder();
    assertThat(relay.duplicates())
        .as("what the killed relays had sent without acknowledging was sent again")
        .isPositive();
    assertThat(count("SELECT count(*) FROM " + table(tables.deadLetterTable())))
        .as("dead-lettered")
        .isZero();
    Map<String, Integer> copies = new HashMap<>();
    brokerCopies.forEach(id -> copies.merge(id, 1, Integer::sum));
    assertThat(copies.keySet())
        .as("message ids the broker held")
        .containsExactlyInAnyOrderElementsOf(orders.values().stream().map(UUID::toString).toList());
    assertThat(brokerCopies.size())
        .as("copies the broker held: the killed relays' resends made some twice")
        .isGreaterThan(ORDERS);
    assertThat(effects)
        .as("effects per order: exactly one each, for every order")
        .hasSize(ORDERS)
        .allSatisfy((order, n) -> assertThat(n).as("effects of %s", order).isEqualTo(1));
    assertThat(effectMessages()).as("each effect applied by its order's message").isEqualTo(orders);
    assertThat(deliveries.get()).as("deliveries").isGreaterThan(ORDERS);
    assertThat(inboxDuplicates).as("duplicates the inbox turned away").isPositive();
    assertThat(inboxFirsts + inboxDuplicates).as("inbox calls").isEqualTo(deliveries.get());
  }

  private LinkedHashMap<UUID, String> committed() {
    LinkedHashMap<UUID, String> committed = new LinkedHashMap<>();
    orders.forEach((order, id) -> committed.put(id, order));
    return committed;
  }

  private void assertOneMessageAndOneOrderRowEach() {
    assertThat(count("SELECT count(*) FROM " + outboxTable()))
        .as("outbox rows: one per order, retried requests included")
        .isEqualTo(ORDERS);
    assertThat(
            count(
                "SELECT count(*) FROM (SELECT order_id FROM "
                    + table("shop_orders")
                    + " GROUP BY order_id HAVING count(*) = 1) t"))
        .as("orders with exactly one order row")
        .isEqualTo(ORDERS);
    assertThat(count("SELECT count(*) FROM " + table("shop_orders")))
        .as("order rows")
        .isEqualTo(ORDERS);
  }

  private Map<String, Long> effectsPerOrder() {
    Map<String, Long> effects = new HashMap<>();
    query(
        "SELECT order_id, count(*) FROM " + table("billing_effects") + " GROUP BY order_id",
        rs -> effects.put(rs.getString(1), rs.getLong(2)));
    return effects;
  }

  private Map<String, UUID> effectMessages() {
    Map<String, UUID> byOrder = new LinkedHashMap<>();
    query(
        "SELECT order_id, message_id FROM " + table("billing_effects"),
        rs -> byOrder.put(rs.getString(1), UUID.fromString(rs.getString(2))));
    return byOrder;
  }

  private String outboxTable() {
    return table(tables.table());
  }

  private String table(String name) {
    return db.schema() + "." + name;
  }

  private long count(Connection c, String table, String order) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT count(*) FROM " + table(table) + " WHERE order_id = ?")) {
      ps.setString(1, order);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private long count(String sql) {
    long[] n = new long[1];
    query(sql, rs -> n[0] = rs.getLong(1));
    return n[0];
  }

  /** What a row of a query's result is used for. */
  @FunctionalInterface
  private interface Row {
    void accept(ResultSet rs) throws SQLException;
  }

  private void query(String sql, Row row) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        row.accept(rs);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Closes the pool and the telemetry; the test closes the database. */
  @Override
  public void close() {
    ds.close();
    telemetry.close();
  }
}
