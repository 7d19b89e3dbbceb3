-- Idempotency keys of enlisted messages (OutboxMessage.Builder.idempotencyKey): a dedup table of
-- the shape dev.outbox.spi.DedupSupport describes, the same as the consumer inbox's.
--
-- A key is written as two rows, in the slots of the current and the previous time bucket
-- (bucket = epoch ms / window ms, slot = bucket mod 4): of two concurrent enlists with one key the
-- second waits on the primary key for the first to commit. A row of bucket b expires at the start
-- of bucket b + 2; partition maintenance deletes the expired rows of a slot partition, so the
-- primary key never grows with history. Times are DATETIME(6) holding UTC.
CREATE TABLE `${outbox_table}_idem` (
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
