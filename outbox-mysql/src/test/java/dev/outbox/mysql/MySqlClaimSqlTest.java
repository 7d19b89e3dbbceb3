package dev.outbox.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The claim's statements with and without paused topics. */
class MySqlClaimSqlTest {

  @Test
  void withNothingPausedTheClaimIsTheStatementWithoutATopicFilter() {
    assertThat(MySqlClaim.lockDueSql("`t`"))
        .isEqualTo(
            """
            SELECT m.id, m.message_id, m.topic, m.msg_key, m.payload, m.headers, m.created_at,
                   m.attempts
              FROM `t` m FORCE INDEX (pending_idx)
             WHERE m.status = 0 AND m.scheduled = 0 AND m.id > ? AND m.next_attempt_at <= ?
               AND (m.lease_until IS NULL OR m.lease_until <= ?)
             ORDER BY m.id
             LIMIT ?
               FOR UPDATE SKIP LOCKED
            """);
    assertThat(MySqlClaim.rangeSql("`t`", true))
        .contains("lease_until <= ?) AS ok")
        .doesNotContain("NOT IN");
    assertThat(MySqlClaim.runSql("`t`")).doesNotContain("NOT IN");
    assertThat(MySqlClaim.lockUnkeyedSql("`t`")).doesNotContain("NOT IN");
  }

  @Test
  void pausedTopicsGetOnePlaceholderEach() {
    assertThat(MySqlClaim.lockDueSql("`t`", 3))
        .contains("lease_until <= ?) AND m.topic NOT IN (?, ?, ?)\n ORDER BY m.id");
    assertThat(MySqlClaim.lockUnkeyedSql("`t`", 1)).contains("AND m.topic NOT IN (?)");
    assertThat(MySqlClaim.rangeSql("`t`", false, 2))
        .contains("lease_until <= ?) AND topic NOT IN (?, ?) AS ok");
    assertThat(MySqlClaim.runSql("`t`", 2))
        .contains("lease_until <= ?) AND topic NOT IN (?, ?) AS ok");
  }
}
