package dev.outbox.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The planner and commit settings of the relay's own statements (claim and acknowledgement), sent
 * ahead of each statement in the same round trip, for that statement's transaction only.
 *
 * <p>Statistics lag behind an outbox table all the time: a new table or a new partition is planned
 * as empty while it fills, and a backlog builds up or drains between two ANALYZE runs. With such
 * statistics the planner scans the whole table for an acknowledgement of ten rows, reads every
 * pending row into a bitmap and sorts it for a claim, or hashes a whole index where a nested loop
 * of index probes reads a run, and each statement then costs as much as the table. A prepared
 * statement keeps that plan until the statistics change. These settings only make the other plans
 * look expensive, and only for the relay's statement. JIT compilation is off: it would take the
 * disabled plans' made-up costs for real ones and spend seconds compiling a statement that runs in
 * a millisecond.
 *
 * <p>The relay's commits do not wait for the disk. A claim or an acknowledgement lost in a crash
 * leaves its rows as they were: pending, and claimed again when their lease ends, so delivery stays
 * at least once. The WAL is written in order, so whatever a later durable commit depends on (an
 * acknowledged message a replay brings back, say) was flushed with it.
 *
 * <p>The settings go through {@code set_config(…, true)} in a {@code SELECT} of their own, not
 * {@code SET LOCAL}: without {@code BEGIN} the statements that one {@code execute} sends run in one
 * implicit transaction, which {@code SET LOCAL} warns about on every call and {@code set_config}
 * does not. So a single statement needs no {@code BEGIN} and no {@code COMMIT} round trip.
 */
final class RelayPlanSettings {
  private RelayPlanSettings() {}

  /** The settings' {@code SELECT}, to put ahead of a statement's text. */
  static final String PREFIX =
      """
      SELECT set_config('enable_seqscan', 'off', true),
             set_config('enable_bitmapscan', 'off', true),
             set_config('enable_sort', 'off', true),
             set_config('enable_hashjoin', 'off', true),
             set_config('enable_mergejoin', 'off', true),
             set_config('jit', 'off', true),
             set_config('plan_cache_mode', 'force_generic_plan', true),
             set_config('synchronous_commit', 'off', true);
      """;

  /**
   * Executes {@code ps}, whose text starts with {@link #PREFIX}, and returns the result set of the
   * statement after the settings.
   *
   * @throws SQLException if the statement fails or returns no rows
   */
  static ResultSet execute(PreparedStatement ps) throws SQLException {
    ps.execute(); // the settings' row
    if (!ps.getMoreResults()) {
      throw new SQLException("the relay's statement returned no result set after its settings");
    }
    return ps.getResultSet();
  }
}
