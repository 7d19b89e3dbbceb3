package dev.outbox.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code outbox.*} properties: the application's outbox (its settings are {@link
 * OutboxSettings}'), or several under {@code outbox.instances.NAME.*}, and what the application
 * around them gets (health, Actuator, senders, console). Every default is the core library's; a
 * value the library refuses fails start-up with an {@link InvalidOutboxPropertyException} naming
 * the property.
 */
@ConfigurationProperties(prefix = OutboxProperties.PREFIX)
public class OutboxProperties extends OutboxSettings {

  /** The prefix of every property of the outbox. */
  public static final String PREFIX = "outbox";

  /** Whether to configure the outbox at all. */
  private boolean enabled = true;

  private final Health health = new Health();
  private final Actuator actuator = new Actuator();
  private final Kafka kafka = new Kafka();
  private final RabbitMq rabbitmq = new RabbitMq();
  private final Console console = new Console();
  private final Modulith modulith = new Modulith();
  private final InboxSettings inbox = new InboxSettings();

  /**
   * Several outboxes, by name, each on a DataSource bean of its own with its own tables, relay and
   * Sender bean. When any is set, the single outbox of outbox.* is not configured.
   */
  private Map<String, Instance> instances = new LinkedHashMap<>();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Health getHealth() {
    return health;
  }

  public Actuator getActuator() {
    return actuator;
  }

  public Kafka getKafka() {
    return kafka;
  }

  public RabbitMq getRabbitmq() {
    return rabbitmq;
  }

  public Console getConsole() {
    return console;
  }

  public Modulith getModulith() {
    return modulith;
  }

  public InboxSettings getInbox() {
    return inbox;
  }

  /**
   * {@code outbox.inbox.*}: the consumer's {@code Inbox} on the application's DataSource, which
   * remembers the message ids a consumer has processed.
   */
  public static class InboxSettings {
    /** Whether to configure an Inbox bean. */
    private boolean enabled = false;

    /** Schema (MySQL: database) of the inbox table; outbox.schema if unset. */
    private String schema;

    /** Name of the inbox table. */
    private String table = dev.outbox.inbox.Inbox.DEFAULT_TABLE;

    /**
     * How long a processed message id is remembered (at least this long, at most twice as long),
     * from 1s to 366d: longer than the broker's longest redelivery delay.
     */
    private Duration window = dev.outbox.inbox.Inbox.DEFAULT_WINDOW;

    /** Whether to create or upgrade the inbox table at start-up. */
    private boolean migrate = true;

    /** How often expired ids are removed, from 1s up to the window. */
    private Duration expirePeriod = Duration.ofHours(1);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getSchema() {
      return schema;
    }

    public void setSchema(String schema) {
      this.schema = schema;
    }

    public String getTable() {
      return table;
    }

    public void setTable(String table) {
      this.table = table;
    }

    public Duration getWindow() {
      return window;
    }

    public void setWindow(Duration window) {
      this.window = window;
    }

    public boolean isMigrate() {
      return migrate;
    }

    public void setMigrate(boolean migrate) {
      this.migrate = migrate;
    }

    public Duration getExpirePeriod() {
      return expirePeriod;
    }

    public void setExpirePeriod(Duration expirePeriod) {
      this.expirePeriod = expirePeriod;
    }
  }

  /** {@code outbox.modulith.*}: Spring Modulith's event externalization through the outbox. */
  public static class Modulith {
    /** Whether events Modulith externalizes are enlisted in the outbox (with Modulith's events). */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  public Map<String, Instance> getInstances() {
    return instances;
  }

  public void setInstances(Map<String, Instance> instances) {
    this.instances = instances;
  }

  /**
   * {@code outbox.instances.NAME.*}: one of several outboxes, on the DataSource bean {@code
   * data-source}, relayed through the Sender bean {@code sender}; the rest as for the single
   * outbox's {@code outbox.*}. Its relay and maintenance are named NAME unless set.
   */
  public static class Instance extends OutboxSettings {
    /** The name of the DataSource bean the outbox's tables are on (required). */
    private String dataSource;

    /** The name of the Sender bean its relay delivers through; no relay if unset. */
    private String sender;

    public String getDataSource() {
      return dataSource;
    }

    public void setDataSource(String dataSource) {
      this.dataSource = dataSource;
    }

    public String getSender() {
      return sender;
    }

    public void setSender(String sender) {
      this.sender = sender;
    }
  }

  /**
   * {@code outbox.kafka.*}: the KafkaSender configured from {@code spring.kafka.*} when the
   * application has outbox-kafka and Spring's Kafka support, and no Sender bean.
   */
  public static class Kafka {
    /** Whether to configure a KafkaSender from Spring's Kafka settings. */
    private boolean enabled = true;

    /** The sender's name, in logs and in its producer's client.id (outbox-NAME). */
    private String name = "kafka";

    /** How long the producer tries to deliver a record before the relay retries it. */
    private Duration deliveryTimeout = Duration.ofSeconds(20);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public Duration getDeliveryTimeout() {
      return deliveryTimeout;
    }

    public void setDeliveryTimeout(Duration deliveryTimeout) {
      this.deliveryTimeout = deliveryTimeout;
    }
  }

  /**
   * {@code outbox.rabbitmq.*}: the RabbitMqSender configured from {@code spring.rabbitmq.*} when
   * the application has outbox-rabbitmq and Spring's AMQP support, and no Sender bean. It publishes
   * to the exchange named by the message's topic, with its key as the routing key.
   */
  public static class RabbitMq {
    /** Whether to configure a RabbitMqSender from Spring's RabbitMQ settings. */
    private boolean enabled = true;

    /** The sender's name, in its connection name (outbox-NAME), thread names and logs. */
    private String name = "rabbitmq";

    /** Whether an unroutable message comes back and is dead-lettered instead of dropped. */
    private boolean mandatory = true;

    /** The longest a batch waits to open a connection and a channel. */
    private Duration connectTimeout = Duration.ofSeconds(5);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public boolean isMandatory() {
      return mandatory;
    }

    public void setMandatory(boolean mandatory) {
      this.mandatory = mandatory;
    }

    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }
  }

  /** {@code outbox.console.*}: the web console under a path of a Servlet web application. */
  public static class Console {
    /** Whether to mount the console (it needs outbox-console and a Servlet web server). */
    private boolean enabled = false;

    /** The path the console is mounted under; its pages and links stay below it. */
    private String path = "/outbox";

    /** Whether the console may change data (replay, purge, pause, ...); read-only otherwise. */
    private boolean writeAccess = false;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public boolean isWriteAccess() {
      return writeAccess;
    }

    public void setWriteAccess(boolean writeAccess) {
      this.writeAccess = writeAccess;
    }
  }

  /** {@code outbox.actuator.*}: the {@code outbox} Actuator endpoint. */
  public static class Actuator {
    /** Whether the endpoint's write operation (pause, resume, replay) may change anything. */
    private boolean writesEnabled = false;

    public boolean isWritesEnabled() {
      return writesEnabled;
    }

    public void setWritesEnabled(boolean writesEnabled) {
      this.writesEnabled = writesEnabled;
    }
  }

  /** {@code outbox.health.*}: when the outbox health indicator reports DOWN. */
  public static class Health {
    /** DOWN when the oldest pending message is older than this. */
    private Duration maxOldestPendingAge = Duration.ofMinutes(5);

    /** DOWN when there are more dead letters than this; unset: dead letters never make it DOWN. */
    private Long maxDeadLetters;

    public Duration getMaxOldestPendingAge() {
      return maxOldestPendingAge;
    }

    public void setMaxOldestPendingAge(Duration maxOldestPendingAge) {
      this.maxOldestPendingAge = maxOldestPendingAge;
    }

    public Long getMaxDeadLetters() {
      return maxDeadLetters;
    }

    public void setMaxDeadLetters(Long maxDeadLetters) {
      this.maxDeadLetters = maxDeadLetters;
    }
  }
}
