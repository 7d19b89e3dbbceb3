-- A JDBC Outbox dedup table for PostgreSQL 12+: the consumer inbox (dev.outbox.inbox.Inbox).
-- Placeholder: dedup_table (the table). Names are unqualified: Flyway runs this with the target
-- schema as the default schema.
--
-- One row per (scope, dedup_key, slot): a record is written as two rows, in the slots of the
-- current and the previous time bucket (bucket = epoch ms / window ms, slot = bucket mod 4), and
-- a row of bucket b expires at the start of bucket b + 2. Retention truncates a slot partition
-- once all its rows have expired, so the primary key never grows with history.
CREATE TABLE "${dedup_table}" (
    scope      varchar(255) NOT NULL,
    dedup_key  varchar(255) NOT NULL,
    slot       smallint     NOT NULL,
    bucket     bigint       NOT NULL,
    record_id  uuid         NOT NULL,
    created_at timestamptz  NOT NULL,
    expires_at timestamptz  NOT NULL,
    CONSTRAINT "${dedup_table}_pkey" PRIMARY KEY (scope, dedup_key, slot)
) PARTITION BY LIST (slot);

CREATE TABLE "${dedup_table}_p0" PARTITION OF "${dedup_table}" FOR VALUES IN (0);
CREATE TABLE "${dedup_table}_p1" PARTITION OF "${dedup_table}" FOR VALUES IN (1);
CREATE TABLE "${dedup_table}_p2" PARTITION OF "${dedup_table}" FOR VALUES IN (2);
CREATE TABLE "${dedup_table}_p3" PARTITION OF "${dedup_table}" FOR VALUES IN (3);
