package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Sender;
import dev.outbox.spi.OutboxDialect;
import dev.outbox.testkit.RoundTrip.Expected;
import dev.outbox.testkit.RoundTrip.Received;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A broker really stopped under a working relay, for longer than its retry schedule, and started
 * again: the circuit breaker must dead-letter nothing, lose nothing, and resume delivery within one
 * probe interval of the broker's return. Ends with a {@link FaultFigures} line.
 */
public final class BrokerRestart {
  private BrokerRestart() {}

  /** How long the broker stays down: many times {@link RoundTrip#shortRetryRelay}'s schedule. */
  static final Duration DOWN = Duration.ofSeconds(5);

  /** The longest broker pause of {@link RoundTrip#shortRetryRelay}: the probe interval. */
  static final Duration PROBE = Duration.ofSeconds(1);

  /** What a test does to its broker. */
  public interface Broker {
    /** Stops the broker; returns once it is down. */
    void stop() throws Exception;

    /** Starts the broker again; returns once it serves clients. */
    void start() throws Exception;

    /** Reads every message that reached {@code topic}, until {@code distinct} message ids did. */
    List<Received> consume(int distinct) throws Exception;
  }

  /**
   * Relays 100 messages to {@code topic} through {@code sender}, stops the broker, enlists 200 more
   * while it is down and waits {@link #DOWN}, starts it again (whatever happened), and checks that
   * all 300 arrive, each key in order on first delivery, nothing dead-lettered, and delivery
   * resumed within {@link #PROBE} and a reconnect of the broker's return. The messages live in
   * {@code tables} (fresh, migrated) of {@code ds}, enlisted through {@code outbox}.
   */
  public static void assertRidesOutARestart(
      DataSource ds,
      OutboxDialect dialect,
      OutboxTables tables,
      JdbcOutbox outbox,
      String topic,
      Sender sender,
      String name,
      Broker broker)
      throws Exception {
    Map<UUID, Expected> before = RoundTrip.enlist(ds, outbox, topic, 100);
    Map<UUID, Expected> during;
    Duration resumedIn;
    try (OutboxRelay relay =
        RoundTrip.shortRetryRelay(ds, dialect, tables, sender).name(name).build()) {
      relay.start();
      await("the first messages sent")
          .atMost(Duration.ofSeconds(30))
          .until(() -> sent(ds, tables) == 100);
      broker.stop();
      try {
        during = RoundTrip.enlist(ds, outbox, topic, 200);
        Thread.sleep(DOWN.toMillis());
        assertThat(sent(ds, tables)).as("nothing is sent while the broker is down").isEqualTo(100);
      } finally {
        broker.start();
      }
      long back = System.nanoTime();
      await("delivery resumed")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> sent(ds, tables) > 100);
      resumedIn = Duration.ofNanos(System.nanoTime() - back);
      await("all acknowledged as sent")
          .atMost(Duration.ofSeconds(60))
          .until(() -> sent(ds, tables) == 300);
    }
    List<Received> received = broker.consume(300);
    LinkedHashMap<UUID, String> committed = new LinkedHashMap<>();
    // Each enlist numbers its keys' messages from 1: check each part on its own.
    for (Map<UUID, Expected> part : List.of(before, during)) {
      RoundTrip.assertAllArrivedInKeyOrder(
          part, received.stream().filter(r -> part.containsKey(id(r))).toList());
      part.forEach((id, e) -> committed.put(id, e.key()));
    }
    FaultFigures.print(
        name + " stopped-" + DOWN.toSeconds() + "s resumed-in-" + resumedIn.toMillis() + "ms",
        committed,
        received.stream().map(BrokerRestart::id).toList());
    assertThat(count(ds, "SELECT count(*) FROM " + table(tables, tables.deadLetterTable())))
        .as("no message dead-lettered by the stop")
        .isZero();
    assertThat(resumedIn)
        .as("delivery resumed within a probe interval and a reconnect (1 s) of the return")
        .isLessThan(PROBE.plusSeconds(2));
  }

  private static UUID id(Received r) {
    return UUID.fromString(r.messageId());
  }

  private static long sent(DataSource ds, OutboxTables tables) {
    return count(ds, "SELECT count(*) FROM " + table(tables, tables.table()) + " WHERE status = 1");
  }

  private static String table(OutboxTables tables, String table) {
    return tables.schema() + "." + table;
  }

  private static long count(DataSource ds, String sql) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }
}
