package dev.outbox.internal;

import dev.outbox.MaintenanceResult;
import dev.outbox.MaintenanceResult.Created;
import dev.outbox.MaintenanceResult.Dropped;
import dev.outbox.MaintenanceResult.KeepReason;
import dev.outbox.MaintenanceResult.Kept;
import dev.outbox.MaintenanceResult.Status;
import dev.outbox.OutboxTables;
import dev.outbox.spi.DedupSupport;
import dev.outbox.spi.DedupTable;
import dev.outbox.spi.DropOutcome;
import dev.outbox.spi.Partition;
import dev.outbox.spi.PartitionSupport;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition maintenance run: take the maintenance lock or skip, create the partitions that are
 * missing (moving rows out of the catch-all partition), drop the expired ones that are finished,
 * release the lock.
 *
 * <p>The lock lives on its own connection, held for the whole run, while every DDL step runs in a
 * short transaction of its own on a second connection: each step holds its table locks only for
 * itself, so producers wait for one step at most, never for the whole run. Safety does not rest on
 * the lock: each step checks, under its own table lock, that what it does is still right, so even
 * two runs at once could not lose a message; the lock only keeps instances from doing the same work
 * twice.
 */
public final class MaintenanceRun {
  private static final Logger log = LoggerFactory.getLogger(MaintenanceRun.class);

  private final DataSource dataSource;
  private final PartitionSupport db;
  private final DedupSupport dedup;
  private final MaintenanceSettings settings;
  private final PartitionPlan plan;

  /**
   * A run over {@code dataSource} with {@code db}'s SQL; {@code dedup}, if not null, empties the
   * expired slots of the idempotency table.
   */
  public MaintenanceRun(
      DataSource dataSource,
      PartitionSupport db,
      DedupSupport dedup,
      MaintenanceSettings settings) {
    this.dataSource = dataSource;
    this.db = db;
    this.dedup = dedup;
    this.settings = settings;
    this.plan =
        new PartitionPlan(
            settings.tables().table(),
            settings.interval(),
            settings.partitionsAhead(),
            settings.retention());
  }

  /** Runs once; a busy lock is a result, any other failure an exception. */
  public MaintenanceResult run() throws SQLException {
    Progress progress = new Progress(settings.clock().instant());
    try (Connection lock = dataSource.getConnection()) {
      if (!db.tryLock(lock, settings.lockKey())) {
        log.info(
            "outbox partitions '{}' ({}): another instance holds the maintenance lock (key {});"
                + " skipping this run",
            settings.name(),
            settings.qualifiedTable(),
            settings.lockKey());
        return progress.end(Status.SKIPPED, 0, "another instance holds the maintenance lock");
      }
      try {
        return runLocked(progress);
      } finally {
        release(lock);
      }
    }
  }

  private MaintenanceResult runLocked(Progress progress) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      try {
        createMissing(c, progress);
        dropExpired(c, progress);
        expireIdempotencyKeys(c, progress);
      } catch (SQLException e) {
        if (!db.isLockTimeout(e)) {
          throw e;
        }
        return lockTimedOut(c, progress);
      }
      int ahead = plan.ahead(db.partitions(c, settings.tables()), progress.now);
      return progress.end(Status.COMPLETED, ahead, "");
    }
  }

  private void createMissing(Connection c, Progress progress) throws SQLException {
    List<Partition> existing = db.partitions(c, settings.tables());
    SortedSet<Instant> inCatchAll = new TreeSet<>();
    if (existing.stream().anyMatch(Partition::catchAll)) {
      inCatchAll = db.catchAllIntervals(c, settings.tables(), settings.interval().length());
    }
    warnBlocked(plan.blockedCatchAllIntervals(existing, inCatchAll));
    for (PartitionPlan.Range r : plan.toCreate(existing, progress.now, inCatchAll)) {
      progress.step = "create partition " + r.name();
      long moved =
          db.createPartition(
              c, settings.tables(), r.name(), r.from(), r.to(), settings.lockTimeout());
      progress.created.add(new Created(r.name(), r.from(), r.to(), moved));
      log.info(
          "outbox partitions '{}': created partition {} for [{}, {}), moving {} row(s) into it out"
              + " of the catch-all partition",
          settings.name(),
          r.name(),
          r.from(),
          r.to(),
          moved);
    }
  }

  /** Empties the slots of the idempotency table whose keys have all expired. */
  private void expireIdempotencyKeys(Connection c, Progress progress) throws SQLException {
    if (dedup == null) {
      return;
    }
    OutboxTables tables = settings.tables();
    DedupTable keys = new DedupTable(tables.schema(), tables.idempotencyTable());
    progress.step = "expire idempotency keys in " + keys;
    int removed = dedup.expire(c, keys, progress.now);
    if (removed > 0) {
      log.info(
          "outbox partitions '{}': removed {} expired idempotency key row(s) from {}",
          settings.name(),
          removed,
          keys);
    }
  }

  private void warnBlocked(List<PartitionPlan.Range> blocked) {
    for (PartitionPlan.Range r : blocked) {
      log.warn(
          "outbox partitions '{}': the catch-all partition of {} holds rows for [{}, {}), but an"
              + " existing partition covers part of that range, so no {} partition can be created"
              + " for them; they stay in the catch-all partition. Make the partitions of {} cover"
              + " whole {} intervals",
          settings.name(),
          settings.qualifiedTable(),
          r.from(),
          r.to(),
          settings.interval(),
          settings.qualifiedTable(),
          settings.interval());
    }
  }

  private void dropExpired(Connection c, Progress progress) throws SQLException {
    for (Partition p : plan.expired(db.partitions(c, settings.tables()), progress.now)) {
      progress.step = "drop partition " + p.name();
      progress.pending = p;
      DropOutcome outcome = db.dropIfFinished(c, settings.tables(), p, settings.lockTimeout());
      progress.pending = null;
      if (outcome.dropped()) {
        progress.dropped.add(new Dropped(p.name(), p.from(), p.to()));
        log.info(
            "outbox partitions '{}': dropped partition {} [{}, {}): past the retention of {} and"
                + " every message in it finished",
            settings.name(),
            p.name(),
            p.from(),
            p.to(),
            settings.retention());
      } else if (outcome.unfinished() > 0) {
        keptUnfinished(progress, p, outcome.unfinished());
      } else {
        log.info(
            "outbox partitions '{}': {} is no longer a partition of {}; left alone",
            settings.name(),
            p.name(),
            settings.qualifiedTable());
      }
    }
  }

  private void keptUnfinished(Progress progress, Partition p, long unfinished) {
    progress.kept.add(
        new Kept(p.name(), p.from(), p.to(), KeepReason.UNFINISHED_MESSAGES, unfinished));
    log.warn(
        "outbox partitions '{}': partition {} [{}, {}) is past the retention of {} but still holds"
            + " {} unfinished message(s) (pending, leased or waiting for a retry); it is kept until"
            + " they are sent or dead-lettered. Check that a relay serves {} and what holds them"
            + " back: SELECT id, msg_key, attempts, next_attempt_at, last_error FROM {} WHERE"
            + " status = 0 ORDER BY id",
        settings.name(),
        p.name(),
        p.from(),
        p.to(),
        settings.retention(),
        unfinished,
        settings.qualifiedTable(),
        partitionSql(p));
  }

  /**
   * The partition as a query names it: a table of its own (PostgreSQL), or a partition selection on
   * the message table where partitions are not tables and have no schema (MySQL).
   */
  private String partitionSql(Partition p) {
    return p.schema() == null
        ? settings.qualifiedTable() + " PARTITION (" + p.name() + ")"
        : p.schema() + "." + p.name();
  }

  private MaintenanceResult lockTimedOut(Connection c, Progress progress) throws SQLException {
    if (progress.pending != null) {
      Partition p = progress.pending;
      progress.kept.add(new Kept(p.name(), p.from(), p.to(), KeepReason.LOCK_TIMEOUT, 0));
    }
    String detail =
        "could not lock "
            + settings.qualifiedTable()
            + " within the lock timeout of "
            + settings.lockTimeout()
            + " to "
            + progress.step
            + "; a long transaction holds a lock on the table. The run stopped there and the next"
            + " one tries again";
    log.warn(
        "outbox partitions '{}': {}. If this repeats, look for old transactions in"
            + " pg_stat_activity (PostgreSQL) or the process list (MySQL)",
        settings.name(),
        detail);
    int ahead = plan.ahead(db.partitions(c, settings.tables()), progress.now);
    return progress.end(Status.LOCK_TIMEOUT, ahead, detail);
  }

  private void release(Connection lock) {
    try {
      db.unlock(lock, settings.lockKey());
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "outbox partitions '{}': could not release the maintenance lock ({}); discarding its"
              + " connection so the lock cannot stay on a pooled connection",
          settings.name(),
          e.toString());
      abortQuietly(lock);
    }
  }

  private static void abortQuietly(Connection c) {
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException ignored) {
      // The connection is unusable either way; the pool discards a closed connection.
    }
  }

  /** What a run has done so far. */
  private static final class Progress {
    final Instant now;
    final List<Created> created = new ArrayList<>();
    final List<Dropped> dropped = new ArrayList<>();
    final List<Kept> kept = new ArrayList<>();
    String step = "start";
    Partition pending;

    Progress(Instant now) {
      this.now = now;
    }

    MaintenanceResult end(Status status, int ahead, String detail) {
      return new MaintenanceResult(status, now, created, dropped, kept, ahead, detail);
    }
  }
}
