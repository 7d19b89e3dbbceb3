-- The test application's own first migration, at Flyway's and Spring Boot's default location,
-- beside the outbox's jars: Boot's Flyway must find only this one (ApplicationFlywayIT).
CREATE TABLE app_orders (
    id   BIGINT       NOT NULL PRIMARY KEY,
    item VARCHAR(100) NOT NULL
);
