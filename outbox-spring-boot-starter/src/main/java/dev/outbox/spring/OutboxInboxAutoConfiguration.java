package dev.outbox.spring;

import dev.outbox.inbox.Inbox;
import dev.outbox.spi.OutboxDialect;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;

/**
 * The consumer's {@link Inbox} on the application's {@link DataSource}, from {@code outbox.inbox.*}
 * when {@code outbox.inbox.enabled=true}: its table migrated at start-up (after the application's
 * own Flyway or Liquibase, as the outbox's), and its expired ids removed every {@code
 * outbox.inbox.expire-period} while the application runs. In a {@code @Transactional} consumer,
 * {@code inbox.firstTime(DataSourceUtils.getConnection(dataSource), consumer, messageId)} records
 * the id in the consumer's transaction.
 */
@AutoConfiguration(
    after = {OutboxAutoConfiguration.class, OutboxTelemetryAutoConfiguration.class},
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
    })
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBooleanProperty(name = "outbox.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "outbox.inbox.enabled")
@EnableConfigurationProperties(OutboxProperties.class)
public class OutboxInboxAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(OutboxInboxAutoConfiguration.class);
  private static final String PREFIX = OutboxProperties.PREFIX + ".inbox";

  /** Creates the configuration; Spring calls it. */
  public OutboxInboxAutoConfiguration() {}

  /**
   * The inbox, its table migrated first unless {@code outbox.inbox.migrate=false}. Its dialect is
   * the outbox's {@link OutboxDialect} bean, or chosen as {@code outbox.database} says.
   */
  @Bean
  @ConditionalOnMissingBean
  @DependsOnDatabaseInitialization
  public Inbox outboxInbox(
      OutboxProperties props,
      DataSource dataSource,
      ObjectProvider<OutboxDialect> dialect,
      ObjectProvider<OutboxTelemetry> telemetry) {
    OutboxProperties.InboxSettings s = props.getInbox();
    String schema = s.getSchema() != null ? s.getSchema() : props.getSchema();
    Inbox.Builder b =
        Inbox.builder(
            dataSource,
            dialect.getIfAvailable(
                () -> Dialects.choose(props, OutboxProperties.PREFIX, dataSource)));
    telemetry.ifAvailable(t -> t.openTelemetry().ifPresent(b::openTelemetry));
    Inbox inbox =
        InvalidOutboxPropertyException.naming(
            PREFIX, () -> b.table(schema, s.getTable()).window(s.getWindow()).build());
    if (s.isMigrate()) {
      int applied = inbox.migrate();
      log.info("inbox table {}: {} migration(s) applied", inbox.table(), applied);
    }
    return inbox;
  }

  /** Removes expired ids every {@code outbox.inbox.expire-period}, from 1 second to the window. */
  @Bean
  @ConditionalOnMissingBean
  public InboxExpiryLifecycle outboxInboxExpiry(OutboxProperties props, Inbox inbox) {
    Duration period = props.getInbox().getExpirePeriod();
    if (period.compareTo(Duration.ofSeconds(1)) < 0 || period.compareTo(inbox.window()) > 0) {
      throw new InvalidOutboxPropertyException(
          PREFIX + ".expire-period",
          "the period must be between 1s and the inbox's window ("
              + inbox.window()
              + "), so that expired ids are removed at least once per window; was "
              + period,
          null);
    }
    return new InboxExpiryLifecycle(inbox, period);
  }
}
