-- The demo application's own table on MySQL/MariaDB, migrated by the application's own Flyway
-- (default history table flyway_schema_history) next to the outbox's tables (history
-- outbox_message_schema_history). The database is the demo's --schema.
CREATE TABLE orders (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer     VARCHAR(255) NOT NULL,
    amount_cents INT          NOT NULL,
    created_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE = InnoDB;
