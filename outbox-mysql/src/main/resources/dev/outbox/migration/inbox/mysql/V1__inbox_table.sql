-- A JDBC Outbox dedup table for MySQL 8.0+ and MariaDB 10.6+ (InnoDB): the consumer inbox
-- (dev.outbox.inbox.Inbox). Placeholder: dedup_table (the table). Names are unqualified: Flyway
-- runs this with the target database as the default schema.
--
-- One row per (scope, dedup_key, slot): a record is written as two rows, in the slots of the
-- current and the previous time bucket (bucket = epoch ms / window ms, slot = bucket mod 4), and
-- a row of bucket b expires at the start of bucket b + 2. Retention empties a slot partition once
-- all its rows have expired, so the primary key never grows with history.
-- Times are DATETIME(6) holding UTC wall-clock time, bound as UTC text, like the outbox tables.
-- Text is utf8mb4 with a binary collation, so scopes and keys compare exactly.
CREATE TABLE `${dedup_table}` (
    scope      VARCHAR(255) NOT NULL,
    dedup_key  VARCHAR(255) NOT NULL,
    slot       SMALLINT     NOT NULL,
    bucket     BIGINT       NOT NULL,
    record_id  CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at DATETIME(6)  NOT NULL,
    expires_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (scope, dedup_key, slot)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
PARTITION BY LIST (slot) (
    PARTITION p0 VALUES IN (0),
    PARTITION p1 VALUES IN (1),
    PARTITION p2 VALUES IN (2),
    PARTITION p3 VALUES IN (3)
);
