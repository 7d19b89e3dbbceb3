-- The per-key claim takes runs: for each key in key order after a cursor, its pending rows in id
-- order. It needs an index that lists the pending keys in order and each key's pending rows in id
-- order, and that never reaches sent rows, which stay in the table: MySQL has no partial indexes,
-- so status leads.
--   * The walk over the keys is a loose index scan of (status = 0, msg_key): one dive a key, however
--     many rows the key holds, stopping after the LIMIT.
--   * A key's run is a range of (status = 0, msg_key = ?) in id order that stops at its LIMIT.
--   * Messages without a key are the (status = 0, msg_key IS NULL) range, in id order.
-- next_attempt_at is in the index, as in pending_idx, so rows that are not due are skipped
-- without reading the row itself. The claim changes no column of this index (it stamps
-- lease_token, lease_until and attempts), so InnoDB updates a claimed row in place.
--
-- pending_key_idx (msg_key, status, id) served the old per-key claim's "is there an older pending
-- row with this key?" check and nothing else; the runs replace that check, so it goes, and inserts
-- and acknowledgements no longer pay for it. Both changes are one in-place ALTER.
ALTER TABLE `${outbox_table}`
    ADD KEY pending_key_run_idx (status, msg_key, id, next_attempt_at),
    DROP KEY pending_key_idx;
