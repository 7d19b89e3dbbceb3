/**
 * MySQL 8.0+ and MariaDB 10.6+ support: {@link dev.outbox.mysql.MySqlDialect} and the Flyway
 * migrations under {@code dev/outbox/migration/mysql}, and the partition operations behind {@code
 * dev.outbox.PartitionMaintenance}. Relays poll adaptively; there is no database wake-up signal.
 */
package dev.outbox.mysql;
