package dev.outbox.spi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@link DedupSupport#recordOnce} written once over JDBC: a dialect supplies its upsert statement,
 * how it quotes a table and how its driver binds times and UUIDs, and implements {@link #expire}.
 *
 * <p>The statements are format strings with the qualified table as {@code %1$s} and the two slots
 * as {@code %2$d} (the current bucket's) and {@code %3$d} (the previous one's). The slots are
 * written into the SQL as literals, not bound, so that the planner prunes the other partitions even
 * in a generic plan and a call locks only the two slots it touches: retention can then lock an
 * expired slot while consumer transactions are open.
 */
public abstract class JdbcDedupSupport implements DedupSupport {

  /**
   * The other records' rows of (scope, key) in the two slots, locked; parameters scope, key, id.
   */
  private static final String OTHER_RECORD =
      """
      SELECT record_id, created_at FROM %1$s
       WHERE scope = ? AND dedup_key = ? AND slot IN (%2$d, %3$d) AND record_id <> ?
       ORDER BY created_at
         FOR UPDATE
      """;

  /** This call's own rows; parameters scope, key, id. */
  private static final String DELETE_OWN =
      """
      DELETE FROM %1$s
       WHERE scope = ? AND dedup_key = ? AND slot IN (%2$d, %3$d) AND record_id = ?
      """;

  /** What a dialect's upsert tells about the rows it found, beside writing them. */
  public enum UpsertReport {
    /** Nothing: a locking read follows it. */
    NOTHING,
    /**
     * A result set: for each of the two rows, the {@code record_id} and {@code created_at} the row
     * holds after the statement (the call's own on an insert or over a stale row, the other
     * record's where that one is live, locked); no second statement.
     */
    ROWS,
    /**
     * A generated key above 0 ({@code LAST_INSERT_ID(1)} on MySQL) when it met a live row of
     * another record: only then does the locking read follow, to name that record.
     */
    CONFLICT_AS_GENERATED_KEY
  }

  private final String upsert;
  private final UpsertReport report;
  private final JdbcTypes types;
  private final Function<DedupTable, String> qualifier;

  /**
   * For subclasses.
   *
   * @param upsert the upsert of the two rows: {@code (scope, dedup_key, slot, bucket, record_id,
   *     created_at, expires_at)} with the slot written as {@code %2$d} in the first row and {@code
   *     %3$d} in the second, and the other six values bound in that order for each row. On a
   *     conflict with a row of the same (scope, key, slot) it overwrites that row only when its
   *     bucket differs.
   * @param types how this database binds and reads times and UUIDs
   * @param qualifier a table's name, quoted and qualified with its schema if it has one
   */
  protected JdbcDedupSupport(
      String upsert, JdbcTypes types, Function<DedupTable, String> qualifier) {
    this(upsert, UpsertReport.NOTHING, types, qualifier);
  }

  /**
   * For subclasses whose upsert tells what it found, which saves the locking read on a first
   * record.
   *
   * @param upsert as in {@link #JdbcDedupSupport(String, JdbcTypes, Function)}
   * @param report what {@code upsert} tells, see {@link UpsertReport}
   * @param types how this database binds and reads times and UUIDs
   * @param qualifier a table's name, quoted and qualified with its schema if it has one
   */
  protected JdbcDedupSupport(
      String upsert, UpsertReport report, JdbcTypes types, Function<DedupTable, String> qualifier) {
    this.report = Objects.requireNonNull(report, "report");
    this.upsert = Objects.requireNonNull(upsert, "upsert");
    this.types = Objects.requireNonNull(types, "types");
    this.qualifier = Objects.requireNonNull(qualifier, "qualifier");
  }

  /** {@code table} quoted and qualified with its schema, if any. */
  protected final String qualified(DedupTable table) {
    return qualifier.apply(table);
  }

  @Override
  public final DedupRecord recordOnce(
      Connection c,
      DedupTable table,
      String scope,
      String key,
      UUID recordId,
      Instant now,
      Duration window)
      throws SQLException {
    DedupRing.checkRecord(c, table, scope, key, recordId, now, window);
    long bucket = DedupRing.bucket(now, window);
    String name = qualified(table);
    int slot = DedupRing.slot(bucket);
    int previousSlot = DedupRing.slot(bucket - 1);
    DedupRecord other = null;
    boolean lookUp = true;
    String sql = String.format(upsert, name, slot, previousSlot);
    try (PreparedStatement ps =
        report == UpsertReport.CONFLICT_AS_GENERATED_KEY
            ? c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
            : c.prepareStatement(sql)) {
      int i = bindRow(ps, 1, scope, key, bucket, recordId, now, window);
      bindRow(ps, i, scope, key, bucket - 1, recordId, now, window);
      switch (report) {
        case ROWS -> {
          other = otherRecord(ps.executeQuery(), recordId);
          lookUp = false;
        }
        case CONFLICT_AS_GENERATED_KEY -> {
          ps.executeUpdate();
          try (ResultSet keys = ps.getGeneratedKeys()) {
            lookUp = keys.next() && keys.getLong(1) > 0;
          }
        }
        case NOTHING -> ps.executeUpdate();
      }
    }
    if (lookUp) {
      try (PreparedStatement ps =
          c.prepareStatement(String.format(OTHER_RECORD, name, slot, previousSlot))) {
        bindKey(ps, scope, key, recordId);
        other = otherRecord(ps.executeQuery(), recordId);
      }
    }
    if (other == null) {
      return null;
    }
    try (PreparedStatement ps =
        c.prepareStatement(String.format(DELETE_OWN, name, slot, previousSlot))) {
      bindKey(ps, scope, key, recordId);
      ps.executeUpdate();
    }
    return other;
  }

  /** The earliest record in {@code rows} other than {@code recordId}'s, or null; closes them. */
  private DedupRecord otherRecord(ResultSet rows, UUID recordId) throws SQLException {
    DedupRecord earliest = null;
    try (ResultSet rs = rows) {
      while (rs.next()) {
        UUID id = types.uuid(rs, "record_id");
        Instant created = types.instant(rs, "created_at");
        if (!id.equals(recordId) && (earliest == null || created.isBefore(earliest.createdAt()))) {
          earliest = new DedupRecord(id, created);
        }
      }
    }
    return earliest;
  }

  private int bindRow(
      PreparedStatement ps,
      int first,
      String scope,
      String key,
      long bucket,
      UUID recordId,
      Instant now,
      Duration window)
      throws SQLException {
    int i = first;
    ps.setString(i++, scope);
    ps.setString(i++, key);
    ps.setLong(i++, bucket);
    types.bindUuid(ps, i++, recordId);
    types.bindInstant(ps, i++, now);
    types.bindInstant(ps, i++, DedupRing.expiry(bucket, window));
    return i;
  }

  private void bindKey(PreparedStatement ps, String scope, String key, UUID recordId)
      throws SQLException {
    ps.setString(1, scope);
    ps.setString(2, key);
    types.bindUuid(ps, 3, recordId);
  }
}
