package dev.outbox.spring;

import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code outbox.*} property holds a value the outbox refuses. Thrown while the application
 * context starts, so the application does not start; Spring Boot's failure report names the
 * property, the reason and what to change.
 */
public final class InvalidOutboxPropertyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The option name the core builders start their messages with, such as {@code batchSize}. */
  private static final Pattern OPTION = Pattern.compile("^([a-z][A-Za-z]*)\\b");

  private final String property;

  /**
   * @param property the full property name, such as {@code outbox.relay.batch-size}
   * @param reason why its value is refused
   */
  public InvalidOutboxPropertyException(String property, String reason, Throwable cause) {
    super("invalid value of property " + property + ": " + reason, cause);
    this.property = property;
  }

  /** The full name of the refused property, such as {@code outbox.relay.batch-size}. */
  public String property() {
    return property;
  }

  /**
   * Runs {@code build}, turning the {@link IllegalArgumentException} of a core builder (whose
   * message starts with the option's name, such as {@code batchSize must be ...}) into one that
   * names the property under {@code prefix} ({@code outbox.relay.batch-size}).
   */
  static <T> T naming(String prefix, Supplier<T> build) {
    try {
      return build.get();
    } catch (InvalidOutboxPropertyException e) {
      throw e; // names its property already
    } catch (IllegalArgumentException e) {
      throw forOption(prefix, e);
    }
  }

  /**
   * {@code e}, from a core builder, as the refusal of the property it names under {@code prefix}.
   */
  static InvalidOutboxPropertyException forOption(String prefix, IllegalArgumentException e) {
    return new InvalidOutboxPropertyException(
        prefix + "." + option(e.getMessage()), e.getMessage(), e);
  }

  /** {@code batchSize must be ...} gives {@code batch-size}; anything else gives {@code *}. */
  private static String option(String message) {
    Matcher m = OPTION.matcher(message == null ? "" : message);
    if (!m.find()) {
      return "*";
    }
    return m.group(1).replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
  }
}
