-- The admin API (dev.outbox.OutboxAdmin): pausing topics, relays reporting themselves, and
-- replaying dead letters. Times follow V1: DATETIME(6) holding UTC, bound as UTC text.

-- One row per paused topic. Relays read the whole table before they claim, at most one poll
-- interval apart, so it must stay a handful of rows and its primary key is all it needs. Topics
-- are never blank, so the empty string can stand for "every topic" and stay in the primary key
-- (a NULL could not). utf8mb4_bin, as the message table's topic, so that a pause matches exactly
-- the topic the claim compares it with.
CREATE TABLE `${outbox_table}_pause` (
    topic     VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    -- Kept when a paused topic is paused again: it says how long the topic has been held.
    paused_at DATETIME(6)  NOT NULL,
    reason    TEXT         NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per running relay, upserted every few seconds and deleted when it closes; a relay that
-- died leaves a row that the next relay to close removes once it is a day old. instance is the
-- first half of the relay's lease tokens, so a leased message names its relay.
CREATE TABLE `${outbox_table}_relay` (
    instance      BIGINT       NOT NULL PRIMARY KEY,
    name          VARCHAR(255) NOT NULL,
    host          VARCHAR(255) NOT NULL,
    started_at    DATETIME(6)  NOT NULL,
    seen_at       DATETIME(6)  NOT NULL,
    -- NULL until the relay claims its first non-empty batch.
    last_claim_at DATETIME(6)  NULL,
    in_flight     INT          NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- How many times a message was replayed from the dead letters. It travels with the message: the
-- dead-letter table has had it since V1, a replay sets it to the dead letter's count plus one, and
-- dying again copies it back, so an operator sees a message that keeps coming back.
-- Added last and with a constant default, so that both databases add it without rebuilding the
-- message table, partitions and all: MariaDB 10.3+ and MySQL 8.0.12+ choose ALGORITHM=INSTANT by
-- themselves (a metadata change, checked on MariaDB 10.11 with a partitioned table). The algorithm
-- is not forced, so a server that cannot add it instantly still migrates, by a copy.
ALTER TABLE `${outbox_table}`
    ADD COLUMN replay_count INT NOT NULL DEFAULT 0;
