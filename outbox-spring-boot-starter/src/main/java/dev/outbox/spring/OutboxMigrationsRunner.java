package dev.outbox.spring;

import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.spi.OutboxDialect;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Creates or upgrades the outbox tables when the context starts, with {@link OutboxMigrations}: the
 * outbox's own scripts and Flyway history table, never the application's Flyway. The outbox and its
 * relays are created after it. Off with {@code outbox.migrations.enabled=false}.
 */
public final class OutboxMigrationsRunner implements InitializingBean {
  private static final Logger log = LoggerFactory.getLogger(OutboxMigrationsRunner.class);

  private final DataSource dataSource;
  private final OutboxDialect dialect;
  private final OutboxTables tables;
  private int applied = -1;

  /** Migrates {@code tables} on {@code dataSource} with {@code dialect}'s scripts. */
  public OutboxMigrationsRunner(DataSource dataSource, OutboxDialect dialect, OutboxTables tables) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.tables = tables;
  }

  /**
   * @throws dev.outbox.MigrationFailedException if a migration fails; the context does not start
   */
  @Override
  public void afterPropertiesSet() {
    applied = OutboxMigrations.migrate(dataSource, dialect, tables);
    log.info("outbox tables {}: {} migration(s) applied", tables, applied);
  }

  /** How many migrations the start-up run applied (0 when the tables were up to date). */
  public int applied() {
    return applied;
  }
}
