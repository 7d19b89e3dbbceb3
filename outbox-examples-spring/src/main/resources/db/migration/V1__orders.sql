-- The service's own table, migrated by Spring Boot's Flyway; the outbox's tables are migrated by
-- the starter with their own history table.
CREATE TABLE orders (
    id         BIGSERIAL    PRIMARY KEY,
    item       VARCHAR(200) NOT NULL,
    quantity   INTEGER      NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);
