-- The tables of the admin API (OutboxAdmin) and the count it keeps on replayed messages.
--
-- Pauses live in the database, not in a relay's memory, so that every relay on these tables obeys
-- one pause, and a pause outlives restarts of relays and of the database until an operator lifts
-- it. Relays read this table before they claim, at most one poll interval apart: it stays a few
-- rows. The empty topic '' (never a real topic) is the pause of every topic, so that "stop
-- everything" is one row and needs no second table or flag.
CREATE TABLE "${outbox_table}_pause" (
    topic     varchar(255) PRIMARY KEY,
    paused_at timestamptz  NOT NULL,
    reason    text
);

-- Each running relay reports itself here every few seconds and removes its row when it closes,
-- so that an operator can see which relays run, whether they are alive, and which relay holds a
-- lease: the instance is the first half of every lease token the relay stamps. A relay that died
-- without closing leaves a row, which the next relay to close removes once it is a day old.
CREATE TABLE "${outbox_table}_relay" (
    instance      bigint      PRIMARY KEY,
    name          text        NOT NULL,
    host          text        NOT NULL,
    started_at    timestamptz NOT NULL,
    seen_at       timestamptz NOT NULL,
    last_claim_at timestamptz,
    in_flight     integer     NOT NULL DEFAULT 0
);

-- A replayed dead letter carries its replay count back into the message table, so that if it
-- dies again its new dead letter says how often it was replayed before: an operator can tell a
-- message that keeps failing from one that failed once. With a constant default PostgreSQL 11+
-- adds the column to every partition without rewriting a row, so this is instant on a large table.
ALTER TABLE "${outbox_table}" ADD COLUMN replay_count integer NOT NULL DEFAULT 0;
