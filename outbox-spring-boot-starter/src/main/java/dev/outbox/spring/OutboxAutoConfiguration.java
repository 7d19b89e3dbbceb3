package dev.outbox.spring;

import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxTables;
import dev.outbox.PayloadCodec;
import dev.outbox.Sender;
import dev.outbox.spi.OutboxDialect;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Auto-configures one outbox on the application's {@link DataSource}: the dialect (from {@code
 * outbox.database} or the database itself), the tables' migrations at start-up, a {@link
 * TransactionalOutbox} that enlists in the current Spring transaction, a relay over the
 * application's {@link Sender} bean, partition maintenance and an {@link OutboxAdmin}. Every bean
 * backs off when the application defines its own of the same type. Not configured when {@code
 * outbox.instances.*} asks for several outboxes ({@link OutboxInstancesAutoConfiguration}).
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
    })
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBooleanProperty(name = "outbox.enabled", matchIfMissing = true)
@Conditional(OutboxInstancesAutoConfiguration.NoInstances.class)
@EnableConfigurationProperties(OutboxProperties.class)
public class OutboxAutoConfiguration {
  private static final String PREFIX = OutboxProperties.PREFIX;

  /** Creates the configuration; Spring calls it. */
  public OutboxAutoConfiguration() {}

  /** The dialect of the DataSource's database. */
  @Bean
  @ConditionalOnMissingBean
  public OutboxDialect outboxDialect(OutboxProperties props, DataSource dataSource) {
    return Dialects.choose(props, PREFIX, dataSource);
  }

  /** The tables, from {@code outbox.schema} and {@code outbox.table}. */
  @Bean
  @ConditionalOnMissingBean
  public OutboxTables outboxTables(OutboxProperties props) {
    return OutboxParts.tables(props, PREFIX);
  }

  /**
   * Migrates the tables at start-up, unless {@code outbox.migrations.enabled=false}; after the
   * application's own Flyway or Liquibase, which may refuse a non-empty schema it has no history
   * of.
   */
  @Bean
  @ConditionalOnMissingBean
  @DependsOnDatabaseInitialization
  @ConditionalOnBooleanProperty(name = "outbox.migrations.enabled", matchIfMissing = true)
  public OutboxMigrationsRunner outboxMigrationsRunner(
      DataSource dataSource, OutboxDialect dialect, OutboxTables tables) {
    return new OutboxMigrationsRunner(dataSource, dialect, tables);
  }

  /** The relays of this application, woken after each commit that enlisted. */
  @Bean
  @ConditionalOnMissingBean
  public LocalRelays outboxLocalRelays() {
    return new LocalRelays();
  }

  /**
   * The outbox the application injects and enlists through, with {@code outbox.idempotency.*}; its
   * typed {@code add} encodes through the application's {@code PayloadCodec<Object>} bean (by
   * default a {@code JacksonPayloadCodec} when outbox-jackson is present), if there is one.
   */
  @Bean
  @ConditionalOnMissingBean
  public TransactionalOutbox transactionalOutbox(
      OutboxProperties props,
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      ObjectProvider<PayloadCodec<Object>> codec,
      LocalRelays relays,
      OutboxTelemetry telemetry,
      ObjectProvider<OutboxMigrationsRunner> migrations) {
    migrations.ifAvailable(m -> {});
    return OutboxParts.outbox(
        props, PREFIX, dataSource, dialect, tables, codec.getIfAvailable(), relays, telemetry);
  }

  /** The operator API over the tables (the health indicator reads it). */
  @Bean
  @ConditionalOnMissingBean
  public OutboxAdmin outboxAdmin(
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      ObjectProvider<OutboxMigrationsRunner> migrations) {
    migrations.ifAvailable(m -> {});
    return OutboxAdmin.builder(dataSource, dialect).tables(tables).build();
  }

  /**
   * The relay, from {@code outbox.relay.*}, over the application's {@link Sender} bean; unless
   * {@code outbox.relay.enabled=false}.
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(Sender.class)
  @ConditionalOnBooleanProperty(name = "outbox.relay.enabled", matchIfMissing = true)
  public OutboxRelayLifecycle outboxRelay(
      OutboxProperties props,
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      Sender sender,
      LocalRelays relays,
      OutboxTelemetry telemetry,
      ObjectProvider<OutboxMigrationsRunner> migrations) {
    migrations.ifAvailable(m -> {});
    return OutboxParts.relay(
        props.getRelay(), PREFIX, dataSource, dialect, tables, sender, relays, telemetry);
  }

  /** Partition maintenance, from {@code outbox.partitions.*}, when {@code enabled=true}. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "outbox.partitions.enabled")
  public PartitionMaintenanceLifecycle outboxPartitionMaintenance(
      OutboxProperties props,
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      OutboxTelemetry telemetry,
      ObjectProvider<OutboxMigrationsRunner> migrations) {
    migrations.ifAvailable(m -> {});
    return OutboxParts.partitions(
        props.getPartitions(), PREFIX, dataSource, dialect, tables, telemetry);
  }
}
