package dev.outbox;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * How much time one partition of the message table covers. Partitions follow UTC boundaries,
 * whatever the time zone of the JVM or the database session.
 */
public enum PartitionInterval {
  /** One partition per UTC day, named {@code <table>_pYYYYMMDD}. */
  DAILY(ChronoUnit.DAYS, "yyyyMMdd"),

  /** One partition per UTC hour, named {@code <table>_pYYYYMMDDHH}. */
  HOURLY(ChronoUnit.HOURS, "yyyyMMddHH");

  private final ChronoUnit unit;
  private final DateTimeFormatter suffix;

  PartitionInterval(ChronoUnit unit, String suffixPattern) {
    this.unit = unit;
    this.suffix = DateTimeFormatter.ofPattern(suffixPattern).withZone(ZoneOffset.UTC);
  }

  /** The length of one interval. */
  public Duration length() {
    return unit.getDuration();
  }

  /** The start of the interval holding {@code instant}: the UTC hour or day it falls in. */
  public Instant start(Instant instant) {
    return instant.truncatedTo(unit);
  }

  /** The name of the partition of {@code table} whose interval starts at {@code start}. */
  public String partitionName(String table, Instant start) {
    return table + "_p" + suffix.format(start);
  }
}
