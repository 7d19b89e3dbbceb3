package dev.outbox.spring;

import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxTables;
import dev.outbox.PayloadCodec;
import dev.outbox.Sender;
import dev.outbox.spi.OutboxDialect;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

/**
 * Registers the beans of each outbox of {@code outbox.instances.NAME.*}: {@code
 * NAMETransactionalOutbox}, {@code NAMEOutboxAdmin}, {@code NAMEOutboxRelay} (with a sender),
 * {@code NAMEOutboxPartitionMaintenance} (when enabled) and, with Actuator's health, {@code
 * NAMEOutboxHealthIndicator}, each qualified by NAME. They are created from the bound properties
 * when first needed; the instance's migrations run before any of them.
 */
final class OutboxInstancesRegistrar
    implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
  private static final String HEALTH_INDICATOR =
      "org.springframework.boot.health.contributor.HealthIndicator";

  private Environment environment;
  private BeanFactory beanFactory;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void registerBeanDefinitions(
      AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    Binder binder = Binder.get(environment);
    Map<String, OutboxProperties.Instance> instances =
        binder
            .bind(
                OutboxInstancesAutoConfiguration.INSTANCES,
                Bindable.mapOf(String.class, OutboxProperties.Instance.class))
            .orElse(Map.of());
    OutboxProperties.Health health =
        binder
            .bind(OutboxProperties.PREFIX + ".health", OutboxProperties.Health.class)
            .orElseGet(OutboxProperties.Health::new);
    instances.forEach((name, instance) -> register(registry, name, instance, health));
  }

  private void register(
      BeanDefinitionRegistry registry,
      String name,
      OutboxProperties.Instance instance,
      OutboxProperties.Health health) {
    String prefix = OutboxInstancesAutoConfiguration.INSTANCES + "." + name;
    if (!NAME.matcher(name).matches()) {
      throw new InvalidOutboxPropertyException(
          prefix, "an instance's name must be 1 to 64 letters, digits, '-' or '_'", null);
    }
    if (instance.getDataSource() == null || instance.getDataSource().isBlank()) {
      throw new InvalidOutboxPropertyException(
          prefix + ".data-source", "name the DataSource bean of this outbox", null);
    }
    defaultNames(name, instance);
    String parts = name + "OutboxParts";
    RootBeanDefinition partsDefinition =
        new RootBeanDefinition(
            InstanceParts.class, () -> InstanceParts.create(prefix, instance, beanFactory));
    partsDefinition.setDependsOn(instance.getDataSource());
    registry.registerBeanDefinition(parts, partsDefinition);
    Function<Function<InstanceParts, ?>, Supplier<?>> from =
        part -> () -> part.apply(beanFactory.getBean(parts, InstanceParts.class));

    qualified(registry, name + "TransactionalOutbox", TransactionalOutbox.class, name)
        .setInstanceSupplier(from.apply(InstanceParts::outbox));
    qualified(registry, name + "OutboxAdmin", OutboxAdmin.class, name)
        .setInstanceSupplier(from.apply(InstanceParts::admin));
    if (instance.getSender() != null && instance.getRelay().isEnabled()) {
      RootBeanDefinition relay =
          qualified(registry, name + "OutboxRelay", OutboxRelayLifecycle.class, name);
      relay.setInstanceSupplier(
          from.apply(p -> p.relay(beanFactory.getBean(instance.getSender(), Sender.class))));
      relay.setDependsOn(instance.getSender());
    }
    if (instance.getPartitions().isEnabled()) {
      qualified(
              registry,
              name + "OutboxPartitionMaintenance",
              PartitionMaintenanceLifecycle.class,
              name)
          .setInstanceSupplier(from.apply(InstanceParts::partitions));
    }
    if (ClassUtils.isPresent(HEALTH_INDICATOR, getClass().getClassLoader())) {
      Health.register(registry, name, from, health);
    }
  }

  /** Touches Boot's health classes only when they are on the class path. */
  private static final class Health {
    static void register(
        BeanDefinitionRegistry registry,
        String name,
        Function<Function<InstanceParts, ?>, Supplier<?>> from,
        OutboxProperties.Health limits) {
      qualified(registry, name + "OutboxHealthIndicator", OutboxHealthIndicator.class, name)
          .setInstanceSupplier(from.apply(p -> new OutboxHealthIndicator(p.admin(), limits)));
    }
  }

  /** The relay and maintenance are named after the instance unless their names are set. */
  private static void defaultNames(String name, OutboxProperties.Instance instance) {
    if (instance.getRelay().getName().equals(new OutboxSettings.Relay().getName())) {
      instance.getRelay().setName(name);
    }
    if (instance.getPartitions().getName().equals(new OutboxSettings.Partitions().getName())) {
      instance.getPartitions().setName(name);
    }
  }

  private static RootBeanDefinition qualified(
      BeanDefinitionRegistry registry, String beanName, Class<?> type, String qualifier) {
    RootBeanDefinition definition = new RootBeanDefinition(type);
    definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, qualifier));
    registry.registerBeanDefinition(beanName, definition);
    return definition;
  }

  /** One instance's dialect, tables, outbox and admin, made once its tables are migrated. */
  record InstanceParts(
      String prefix,
      OutboxProperties.Instance settings,
      DataSource dataSource,
      OutboxDialect dialect,
      OutboxTables tables,
      LocalRelays relays,
      OutboxTelemetry telemetry,
      TransactionalOutbox outbox,
      OutboxAdmin admin) {

    static InstanceParts create(String prefix, OutboxProperties.Instance s, BeanFactory beans) {
      DataSource dataSource = beans.getBean(s.getDataSource(), DataSource.class);
      OutboxDialect dialect = Dialects.choose(s, prefix, dataSource);
      OutboxTables tables = OutboxParts.tables(s, prefix);
      if (s.getMigrations().isEnabled()) {
        new OutboxMigrationsRunner(dataSource, dialect, tables).afterPropertiesSet();
      }
      OutboxTelemetry telemetry =
          beans.getBeanProvider(OutboxTelemetry.class).getIfAvailable(OutboxTelemetry::global);
      LocalRelays relays = new LocalRelays();
      PayloadCodec<Object> codec =
          beans
              .<PayloadCodec<Object>>getBeanProvider(
                  ResolvableType.forClassWithGenerics(PayloadCodec.class, Object.class))
              .getIfAvailable();
      return new InstanceParts(
          prefix,
          s,
          dataSource,
          dialect,
          tables,
          relays,
          telemetry,
          OutboxParts.outbox(s, prefix, dataSource, dialect, tables, codec, relays, telemetry),
          OutboxAdmin.builder(dataSource, dialect).tables(tables).build());
    }

    OutboxRelayLifecycle relay(Sender sender) {
      return OutboxParts.relay(
          settings.getRelay(), prefix, dataSource, dialect, tables, sender, relays, telemetry);
    }

    PartitionMaintenanceLifecycle partitions() {
      return OutboxParts.partitions(
          settings.getPartitions(), prefix, dataSource, dialect, tables, telemetry);
    }
  }
}
