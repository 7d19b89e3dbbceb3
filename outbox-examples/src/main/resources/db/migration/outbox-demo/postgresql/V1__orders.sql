-- The demo application's own table, migrated by the application's own Flyway (default history
-- table flyway_schema_history) next to the outbox's tables (history outbox_message_schema_history).
CREATE TABLE orders (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer     text        NOT NULL,
    amount_cents integer     NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
