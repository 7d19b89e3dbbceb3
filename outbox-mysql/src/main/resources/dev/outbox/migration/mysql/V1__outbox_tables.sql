-- JDBC Outbox tables for MySQL 8.0+ and MariaDB 10.6+ (InnoDB).
-- Placeholders: outbox_table (the message table), outbox_dead_table (its dead letters).
-- Names are unqualified: Flyway runs this with the target database as the default schema.
--
-- Times are DATETIME(6) holding UTC wall-clock time, microsecond precision. DATETIME, unlike
-- TIMESTAMP, is never converted through the session time zone, so every session reads and
-- compares the same values. created_at is set by the dialect's INSERT to UTC_TIMESTAMP(6), the
-- database clock in UTC (CURRENT_TIMESTAMP would follow the session time zone); the other times
-- come from the relay's clock, bound as UTC text.
-- Text columns are utf8mb4 with a binary collation, so topics and ordering keys compare exactly
-- (case-sensitive), the same on MySQL and MariaDB.

-- The message table, RANGE-partitioned on created_at so that retention can drop whole finished
-- partitions instead of deleting rows. MySQL requires every unique key, the primary key
-- included, to contain the partitioning column, hence PRIMARY KEY (id, created_at). The single
-- MAXVALUE partition catches every row no explicit partition covers: an insert never fails
-- because partition maintenance is late, and maintenance adds partitions by reorganizing it,
-- without rewriting the table.
CREATE TABLE `${outbox_table}` (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    message_id      CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    topic           VARCHAR(255) NOT NULL,
    msg_key         VARCHAR(255) NULL,
    payload         LONGBLOB     NOT NULL,
    -- MySQL: native JSON. MariaDB: JSON is LONGTEXT with a JSON_VALID check.
    headers         JSON         NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    -- 0 = pending (due, leased or waiting for a retry), 1 = sent. Dead letters leave the table.
    status          TINYINT      NOT NULL DEFAULT 0,
    attempts        INT          NOT NULL DEFAULT 0,
    -- When the message may be claimed: at enlist, after a retry's backoff, or when a lease ends.
    next_attempt_at DATETIME(6)  NOT NULL,
    last_error      TEXT         NULL,
    lease_token     CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    lease_until     DATETIME(6)  NULL,
    sent_at         DATETIME(6)  NULL,
    PRIMARY KEY (id, created_at),
    -- The claim: WHERE status = 0 AND next_attempt_at <= ? ORDER BY id LIMIT ?. MySQL has no
    -- partial indexes, so status leads: the claim reads only the status = 0 range, in id order
    -- (no sort), and sent rows, however many, are never scanned. next_attempt_at is in the index
    -- so rows that are not due are skipped without reading the row itself.
    KEY pending_idx (status, id, next_attempt_at),
    -- Per-key ordering: "is there an older pending row with this key?" is one index lookup on
    -- (msg_key, status = 0) that stops at the first id below the candidate's.
    KEY pending_key_idx (msg_key, status, id),
    CONSTRAINT `${outbox_table}_status_check` CHECK (status IN (0, 1))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
PARTITION BY RANGE COLUMNS (created_at) (
    PARTITION p_max VALUES LESS THAN (MAXVALUE)
);

-- Dead letters: not partitioned, never touched by retention.
CREATE TABLE `${outbox_dead_table}` (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    original_id  BIGINT       NOT NULL,
    message_id   CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    topic        VARCHAR(255) NOT NULL,
    msg_key      VARCHAR(255) NULL,
    payload      LONGBLOB     NOT NULL,
    headers      JSON         NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    attempts     INT          NOT NULL,
    reason       TEXT         NOT NULL,
    dead_at      DATETIME(6)  NOT NULL,
    replay_count INT          NOT NULL DEFAULT 0,
    KEY topic_idx (topic, dead_at),
    KEY key_idx (msg_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
