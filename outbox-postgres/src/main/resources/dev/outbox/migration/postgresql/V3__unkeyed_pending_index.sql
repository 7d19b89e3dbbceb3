-- A per-key claim walks the keys of the pending key index and takes each key's run of messages;
-- messages without a key are claimed beside the runs, in id order, from this index of their own.
-- Without it they would be found by scanning the pending index past every keyed message.
-- On a partitioned table the index is built on every partition while writes wait: on a large
-- table, run this migration when the backlog is small.
CREATE INDEX "${outbox_table}_pending_unkeyed_idx"
    ON "${outbox_table}" (id, next_attempt_at) WHERE status = 0 AND msg_key IS NULL;
