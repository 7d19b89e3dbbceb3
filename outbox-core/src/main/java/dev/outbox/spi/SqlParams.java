package dev.outbox.spi;

import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Values for the {@code @name} parameters of a {@link NamedSql}, by name. A value may be null: it
 * is bound as a null of type VARCHAR, or of the type given with {@link #withNull}. Not thread-safe;
 * make one per statement run.
 */
public final class SqlParams {

  /** A null of one JDBC type ({@link java.sql.Types}), for a column where an untyped null fails. */
  public record TypedNull(int sqlType) {}

  /** A list that stands for as many parameters as it has elements: see {@link #expand}. */
  public record Expanded(List<?> values) {
    /** Copies {@code values}, which must not be empty ({@code IN ()} is not SQL). */
    public Expanded {
      if (values.isEmpty()) {
        throw new IllegalArgumentException("an expanded parameter list must not be empty");
      }
      values = List.copyOf(values);
    }
  }

  private final Map<String, Object> values = new HashMap<>();

  private SqlParams() {}

  /** Values from alternating names and values: {@code of("id", 7, "now", now)}. */
  public static SqlParams of(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must come in pairs");
    }
    SqlParams p = new SqlParams();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      p.with((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return p;
  }

  /** A value that expands {@code @name} into one parameter per element of {@code values}. */
  public static Expanded expand(List<?> values) {
    return new Expanded(values);
  }

  /** Sets {@code name} to {@code value} (which may be null); returns this. */
  public SqlParams with(String name, Object value) {
    values.put(name, value);
    return this;
  }

  /**
   * Sets {@code name} to a time that may be null, bound as a typed null when it is; returns this.
   */
  public SqlParams withTime(String name, Instant time) {
    return with(name, time == null ? new TypedNull(Types.TIMESTAMP_WITH_TIMEZONE) : time);
  }

  /** Sets {@code name} to a null of {@code sqlType}; returns this. */
  public SqlParams withNull(String name, int sqlType) {
    return with(name, new TypedNull(sqlType));
  }

  /**
   * The value of {@code name}.
   *
   * @throws IllegalArgumentException if no value was set for it
   */
  Object value(String name) {
    if (!values.containsKey(name)) {
      throw new IllegalArgumentException("no value for SQL parameter @" + name);
    }
    return values.get(name);
  }
}
