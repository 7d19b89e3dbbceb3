-- Scheduled messages (OutboxMessage.Builder.deliverAt / delay).
--
-- A scheduled message is a pending row (status 0) whose next_attempt_at lies in the future, with
-- deliver_at holding the time it was scheduled for and scheduled = true until that time comes.
-- The pending indexes the unordered claim and the claim of messages without a key read leave
-- scheduled rows out: otherwise every claim would read past all of them (they sit among the oldest
-- ids), and a million messages scheduled for tomorrow would slow every claim of today's messages.
-- When a scheduled row is due, the relay clears its flag (OutboxDialect.releaseScheduled), through
-- the small index of scheduled rows below, and the claims find it from then on.
-- The per-key index keeps every pending row, scheduled or not: under per-key order a scheduled
-- message holds back the later messages of its key until it is sent.
--
-- Adding the columns with constant defaults rewrites nothing. The two indexes are rebuilt on every
-- partition while writes wait: on a large table, run this migration when the backlog is small.
ALTER TABLE "${outbox_table}"
    ADD COLUMN scheduled  boolean     NOT NULL DEFAULT false,
    ADD COLUMN deliver_at timestamptz;

DROP INDEX "${outbox_table}_pending_idx";
CREATE INDEX "${outbox_table}_pending_idx"
    ON "${outbox_table}" (id, next_attempt_at) WHERE status = 0 AND NOT scheduled;

DROP INDEX "${outbox_table}_pending_unkeyed_idx";
CREATE INDEX "${outbox_table}_pending_unkeyed_idx"
    ON "${outbox_table}" (id, next_attempt_at) WHERE status = 0 AND msg_key IS NULL AND NOT scheduled;

CREATE INDEX "${outbox_table}_scheduled_idx"
    ON "${outbox_table}" (next_attempt_at, id) WHERE status = 0 AND scheduled;
