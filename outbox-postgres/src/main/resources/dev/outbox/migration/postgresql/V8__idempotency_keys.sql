-- Idempotency keys of enlisted messages (OutboxMessage.Builder.idempotencyKey): a dedup table of
-- the shape dev.outbox.spi.DedupSupport describes, the same as the consumer inbox's.
--
-- A key is written as two rows, in the slots of the current and the previous time bucket
-- (bucket = epoch ms / window ms, slot = bucket mod 4): of two concurrent enlists with one key the
-- second waits on the primary key for the first to commit. A row of bucket b expires at the start
-- of bucket b + 2; partition maintenance truncates a slot partition once all its rows have
-- expired, so the primary key never grows with history.
CREATE TABLE "${outbox_table}_idem" (
    scope      varchar(255) NOT NULL,
    dedup_key  varchar(255) NOT NULL,
    slot       smallint     NOT NULL,
    bucket     bigint       NOT NULL,
    record_id  uuid         NOT NULL,
    created_at timestamptz  NOT NULL,
    expires_at timestamptz  NOT NULL,
    CONSTRAINT "${outbox_table}_idem_pkey" PRIMARY KEY (scope, dedup_key, slot)
) PARTITION BY LIST (slot);

CREATE TABLE "${outbox_table}_idem_p0" PARTITION OF "${outbox_table}_idem" FOR VALUES IN (0);
CREATE TABLE "${outbox_table}_idem_p1" PARTITION OF "${outbox_table}_idem" FOR VALUES IN (1);
CREATE TABLE "${outbox_table}_idem_p2" PARTITION OF "${outbox_table}_idem" FOR VALUES IN (2);
CREATE TABLE "${outbox_table}_idem_p3" PARTITION OF "${outbox_table}_idem" FOR VALUES IN (3);
