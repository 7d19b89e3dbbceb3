-- Scheduled messages (OutboxMessage.Builder.deliverAt / delay).
--
-- A scheduled message is a pending row (status 0) whose next_attempt_at lies in the future, with
-- deliver_at holding the time it was scheduled for and scheduled = 1 until that time comes.
-- pending_idx gains scheduled after status, so the unordered claim reads only the
-- (status 0, scheduled 0) range, in id order: otherwise every claim would read past all scheduled
-- rows (they sit among the oldest ids), and a million messages scheduled for tomorrow would slow
-- every claim of today's messages. When a scheduled row is due, the relay sets scheduled = 0
-- (OutboxDialect.releaseScheduled), finding it through scheduled_idx.
-- pending_key_run_idx is unchanged and holds every pending row, scheduled or not: under per-key
-- order a scheduled message holds back the later messages of its key until it is sent.
--
-- The index changes rebuild the table's indexes: on a large table, run this migration when the
-- backlog is small.
ALTER TABLE `${outbox_table}`
    ADD COLUMN scheduled  TINYINT     NOT NULL DEFAULT 0,
    ADD COLUMN deliver_at DATETIME(6) NULL,
    DROP KEY pending_idx,
    ADD KEY pending_idx (status, scheduled, id, next_attempt_at),
    ADD KEY scheduled_idx (status, scheduled, next_attempt_at);
