package dev.outbox.internal;

import dev.outbox.OutboxRecord;
import dev.outbox.OutboxTables;
import dev.outbox.spi.AckBatch;
import dev.outbox.spi.AckResult;
import dev.outbox.spi.AdminSupport;
import dev.outbox.spi.BacklogStats;
import dev.outbox.spi.ClaimRequest;
import dev.outbox.spi.ClaimResult;
import dev.outbox.spi.KeyWalk;
import dev.outbox.spi.NewRow;
import dev.outbox.spi.OutboxDialect;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link OutboxDialect} over rows in memory, for tests of the relay's decisions (not of any
 * database). It keeps the SPI's contract as the shipped dialects do: a claim leases due rows that
 * are not under a live lease and counts the attempt; per key it takes each visited key's run from
 * its oldest pending row, stopping at the first row that is not due, leased or paused, walking the
 * keys after the cursor through {@link KeyWalk}; an ack writes only rows still carrying its lease
 * token; a dead row moves to the dead letters. Every method is atomic (synchronized), so no row is
 * ever "locked by another relay". The connection passed in is ignored.
 */
public final class InMemoryDialect implements OutboxDialect {

  /** One message row, as the message table holds it. */
  public static final class Row {
    public final long id;
    public final String topic;
    public final String key;
    public final String payload;
    public final Instant createdAt;
    public Instant nextAttemptAt;
    public int attempts;
    public UUID leaseToken;
    public Instant leaseUntil;
    public String lastError;
    public boolean sent;
    public Instant sentAt;

    Row(long id, String topic, String key, String payload, Instant createdAt, Instant due) {
      this.id = id;
      this.topic = topic;
      this.key = key;
      this.payload = payload;
      this.createdAt = createdAt;
      this.nextAttemptAt = due;
    }

    boolean claimable(Instant now, Set<String> paused) {
      return !sent
          && !nextAttemptAt.isAfter(now)
          && (leaseUntil == null || !leaseUntil.isAfter(now))
          && !paused.contains(topic);
    }
  }

  /** A row of the dead-letter table. */
  public record DeadRow(long originalId, String key, String payload, int attempts, String reason) {}

  private final Clock clock;
  private final TreeMap<Long, Row> rows = new TreeMap<>();
  private final List<DeadRow> dead = new ArrayList<>();
  private final Set<String> paused = new HashSet<>();
  private long nextId = 1;

  /** Every claim request received, in order. */
  public final List<ClaimRequest> claims = new CopyOnWriteArrayList<>();

  /** How many acks (one per batch) were received. */
  public final AtomicInteger acks = new AtomicInteger();

  /**
   * @param clock the database's clock, for {@code created_at}
   */
  public InMemoryDialect(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return "in-memory";
  }

  @Override
  public String migrationLocation() {
    throw new UnsupportedOperationException("the in-memory dialect has no migrations");
  }

  // ---- what tests call ----

  /**
   * Adds a due message named {@code payload} whose key is its first letter, or no key when it
   * starts with {@code -}: "a1" is the first message of key "a". Returns its id.
   */
  public long add(String payload) {
    return add("t", payload.startsWith("-") ? null : payload.substring(0, 1), payload);
  }

  /** Adds a message due now; returns its id. */
  public synchronized long add(String topic, String key, String payload) {
    Instant now = clock.instant();
    Row row = new Row(nextId++, topic, key, payload, now, now);
    rows.put(row.id, row);
    return row.id;
  }

  /** The row with {@code id}; null once it was dead-lettered. */
  public synchronized Row row(long id) {
    return rows.get(id);
  }

  /** The row whose payload is {@code payload}. */
  public synchronized Row row(String payload) {
    return rows.values().stream().filter(r -> r.payload.equals(payload)).findFirst().orElse(null);
  }

  /** The payloads of the rows not yet sent, in id order. */
  public synchronized List<String> pending() {
    return rows.values().stream().filter(r -> !r.sent).map(r -> r.payload).toList();
  }

  /** The payloads of the rows marked sent, in id order. */
  public synchronized List<String> sent() {
    return rows.values().stream().filter(r -> r.sent).map(r -> r.payload).toList();
  }

  /** The dead letters, in the order they died. */
  public synchronized List<DeadRow> deadLetters() {
    return List.copyOf(dead);
  }

  /** Pauses {@code topic}, or every topic with {@link AdminSupport#ALL_TOPICS}. */
  public synchronized void pause(String topic) {
    paused.add(topic);
  }

  // ---- the SPI ----

  @Override
  public synchronized void insert(Connection c, OutboxTables tables, List<NewRow> newRows) {
    for (NewRow n : newRows) {
      String payload = new String(n.payload(), StandardCharsets.UTF_8);
      Row row = new Row(nextId++, n.topic(), n.key(), payload, clock.instant(), n.availableAt());
      rows.put(row.id, row);
    }
  }

  @Override
  public synchronized ClaimResult claim(Connection c, OutboxTables tables, ClaimRequest r) {
    claims.add(r);
    if (!r.perKey()) {
      List<Row> picked =
          rows.tailMap(r.afterId(), false).values().stream()
              .filter(row -> row.claimable(r.now(), r.pausedTopics()))
              .limit(r.batchSize())
              .toList();
      return new ClaimResult(lease(picked, r), null, false);
    }
    try {
      return KeyWalk.claim(r, (cursor, unkeyed, target) -> pass(r, cursor, unkeyed, target));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e); // a pass in memory throws nothing
    }
  }

  /** One walk of the keys after {@code cursor}, as {@link KeyWalk.Pass} describes it. */
  private ClaimResult pass(ClaimRequest r, String cursor, KeyWalk.Unkeyed unkeyed, int target) {
    List<Row> picked = new ArrayList<>();
    if (unkeyed == KeyWalk.Unkeyed.FIRST) {
      picked.addAll(unkeyed(r, target));
    }
    TreeSet<String> keys = new TreeSet<>();
    for (Row row : rows.values()) {
      if (!row.sent && row.key != null && (cursor == null || row.key.compareTo(cursor) > 0)) {
        keys.add(row.key);
      }
    }
    int visited = 0;
    String lastKey = null;
    for (String key : keys) {
      if (picked.size() >= target || visited >= KeyWalk.maxKeys(r.batchSize())) {
        break;
      }
      visited++;
      lastKey = key;
      for (Row row : rows.values()) {
        if (row.sent || !key.equals(row.key)) {
          continue;
        }
        if (picked.size() >= target || !row.claimable(r.now(), r.pausedTopics())) {
          break; // the run ends at the first row that cannot be claimed
        }
        picked.add(row);
      }
    }
    if (unkeyed == KeyWalk.Unkeyed.AFTER && picked.size() < target) {
      picked.addAll(unkeyed(r, target - picked.size()));
    }
    picked.sort(Comparator.comparingLong(row -> row.id));
    return KeyWalk.result(lease(picked, r), target, cursor, visited, lastKey, r.batchSize());
  }

  private List<Row> unkeyed(ClaimRequest r, int limit) {
    return rows.values().stream()
        .filter(row -> row.key == null && row.claimable(r.now(), r.pausedTopics()))
        .limit(limit)
        .toList();
  }

  private static List<OutboxRecord> lease(List<Row> picked, ClaimRequest r) {
    List<OutboxRecord> records = new ArrayList<>(picked.size());
    for (Row row : picked) {
      row.attempts++;
      row.leaseToken = r.leaseToken();
      row.leaseUntil = r.leaseUntil();
      records.add(
          new OutboxRecord(
              row.id,
              UUID.nameUUIDFromBytes(row.payload.getBytes(StandardCharsets.UTF_8)),
              row.topic,
              row.key,
              row.payload.getBytes(StandardCharsets.UTF_8),
              Map.of(),
              row.createdAt,
              row.attempts));
    }
    return records;
  }

  @Override
  public synchronized KeyWalk.Range pendingKeyRange(Connection c, OutboxTables tables) {
    TreeSet<String> keys = new TreeSet<>();
    rows.values().stream().filter(r -> !r.sent && r.key != null).forEach(r -> keys.add(r.key));
    return keys.isEmpty() ? null : new KeyWalk.Range(keys.first(), keys.last());
  }

  @Override
  public synchronized AckResult ack(Connection c, OutboxTables tables, AckBatch batch) {
    acks.incrementAndGet();
    Set<Long> sent = new HashSet<>();
    Set<Long> retried = new HashSet<>();
    Set<Long> died = new HashSet<>();
    for (long id : batch.sent()) {
      Row row = fenced(id, batch.leaseToken());
      if (row != null) {
        row.sent = true;
        row.sentAt = batch.now();
        release(row);
        sent.add(id);
      }
    }
    for (AckBatch.Retry retry : batch.retries()) {
      Row row = fenced(retry.id(), batch.leaseToken());
      if (row != null) {
        row.nextAttemptAt = retry.nextAttemptAt();
        row.lastError = retry.error();
        row.attempts -= retry.uncharged() ? 1 : 0;
        release(row);
        retried.add(row.id);
      }
    }
    for (AckBatch.Dead d : batch.dead()) {
      Row row = fenced(d.id(), batch.leaseToken());
      if (row != null) {
        rows.remove(row.id);
        dead.add(new DeadRow(row.id, row.key, row.payload, row.attempts, d.reason()));
        died.add(row.id);
      }
    }
    return new AckResult(sent, retried, died);
  }

  /** The row {@code id} if it still carries {@code token}: a reclaimed row is left alone. */
  private Row fenced(long id, UUID token) {
    Row row = rows.get(id);
    return row != null && token.equals(row.leaseToken) ? row : null;
  }

  private static void release(Row row) {
    row.leaseToken = null;
    row.leaseUntil = null;
  }

  @Override
  public synchronized BacklogStats backlog(Connection c, OutboxTables tables) {
    List<Row> pending = rows.values().stream().filter(r -> !r.sent).toList();
    Instant oldest = pending.stream().map(r -> r.createdAt).min(Instant::compareTo).orElse(null);
    return new BacklogStats(pending.size(), oldest, dead.size());
  }

  /**
   * What the relay uses of the admin tables: the paused topics (set with {@link #pause}), and its
   * heartbeat and leaving, which are accepted and forgotten. Any other admin operation refuses.
   */
  @Override
  public AdminSupport admin() {
    return (AdminSupport)
        Proxy.newProxyInstance(
            AdminSupport.class.getClassLoader(),
            new Class<?>[] {AdminSupport.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "pausedTopics" -> pausedTopics();
                  case "heartbeat", "leave" -> null;
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  case "toString" -> "in-memory admin";
                  default ->
                      throw new UnsupportedOperationException(
                          "the in-memory dialect has only the relay's admin operations, not "
                              + method.getName());
                });
  }

  private synchronized Set<String> pausedTopics() {
    return Set.copyOf(paused);
  }
}
