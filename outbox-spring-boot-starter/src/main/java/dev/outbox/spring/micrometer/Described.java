package dev.outbox.spring.micrometer;

/**
 * What every bridged instrument builder keeps: the instrument's description and unit. {@code B} is
 * the OpenTelemetry builder interface the subclass implements, which the setters return.
 */
abstract class Described<B> {
  String description;
  String unit;

  Described() {}

  Described(String description, String unit) {
    this.description = description;
    this.unit = unit;
  }

  public B setDescription(String description) {
    this.description = description;
    return self();
  }

  public B setUnit(String unit) {
    this.unit = unit;
    return self();
  }

  /** This builder as {@code B}, the interface it implements. */
  abstract B self();
}
