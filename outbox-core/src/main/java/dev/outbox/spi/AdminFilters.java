package dev.outbox.spi;

import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin's filters as SQL conditions over the message and dead-letter tables' columns, with
 * {@code @name} parameters ({@link NamedSql}) and the values to bind ({@link SqlParams}). What
 * differs between databases (how a list of ids and a substring test are written) is passed in.
 */
public final class AdminFilters {
  private AdminFilters() {}

  /** A pending row due at {@code @now}: the claim's test. */
  public static final String DUE =
      "next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)";

  /** A pending row under a live lease at {@code @now}. */
  public static final String LEASED = "lease_until > @now";

  /** A pending row waiting for its retry at {@code @now}, not leased. */
  public static final String WAITING =
      "next_attempt_at > @now AND (lease_until IS NULL OR lease_until <= @now)";

  /** The condition of a pending {@code state}; refuses SENT. */
  public static String pendingState(MessageState state) {
    return switch (state) {
      case DUE -> DUE;
      case LEASED -> LEASED;
      case WAITING -> WAITING;
      default -> throw new IllegalArgumentException("not a pending state: " + state);
    };
  }

  /** Which criteria a message filter has: the part of a statement's shape it decides. */
  public static String shape(MessageFilter f) {
    return (f.topic() == null ? "-" : "t")
        + (f.key() == null ? "-" : "k")
        + (f.state() == null ? "-" : f.state().name())
        + (f.errorContains() == null ? "-" : "e");
  }

  /**
   * The conditions of a message filter besides the key's (which picks the index), each to be joined
   * with AND: {@code @topic}, the state at {@code @now}, and {@code errorContains} (the database's
   * substring test of {@code last_error} against {@code @error}).
   */
  public static List<String> criteria(MessageFilter f, String errorContains) {
    List<String> criteria = new ArrayList<>();
    if (f.topic() != null) {
      criteria.add("topic = @topic");
    }
    if (f.state() != null) {
      criteria.add(pendingState(f.state()));
    }
    if (f.errorContains() != null) {
      criteria.add(errorContains);
    }
    return criteria;
  }

  /** The values of a message filter's parameters: {@code @topic, @key, @error}. */
  public static SqlParams params(MessageFilter f) {
    return SqlParams.of("topic", f.topic(), "key", f.key(), "error", f.errorContains());
  }

  /** Which criteria a dead-letter filter has: the part of a statement's shape it decides. */
  public static String shape(DeadLetterFilter f) {
    return (f.ids().isEmpty() ? "-" : "i")
        + (f.topic() == null ? "-" : "t")
        + (f.key() == null ? "-" : "k")
        + (f.reasonContains() == null ? "-" : "r")
        + (f.deadSince() == null ? "-" : "s")
        + (f.deadBefore() == null ? "-" : "b");
  }

  /**
   * The conditions of a dead-letter filter, each to be joined with AND: {@code idsMatch} (the
   * database's test of {@code id} against the list {@code @ids}), {@code @topic}, {@code @key},
   * {@code reasonContains} (its substring test of {@code reason} against {@code @reason}), {@code
   * @deadSince} and {@code @deadBefore}. None for an empty filter.
   */
  public static List<String> criteria(DeadLetterFilter f, String idsMatch, String reasonContains) {
    List<String> criteria = new ArrayList<>();
    if (!f.ids().isEmpty()) {
      criteria.add(idsMatch);
    }
    if (f.topic() != null) {
      criteria.add("topic = @topic");
    }
    if (f.key() != null) {
      criteria.add("msg_key = @key");
    }
    if (f.reasonContains() != null) {
      criteria.add(reasonContains);
    }
    if (f.deadSince() != null) {
      criteria.add("dead_at >= @deadSince");
    }
    if (f.deadBefore() != null) {
      criteria.add("dead_at < @deadBefore");
    }
    return criteria;
  }

  /**
   * The values of a dead-letter filter's parameters, with {@code ids} the value for {@code @ids}
   * (the list itself or {@link SqlParams#expand}ed, as the database binds it; null for none).
   */
  public static SqlParams params(DeadLetterFilter f, Object ids) {
    return SqlParams.of(
            "ids", ids, "topic", f.topic(), "key", f.key(), "reason", f.reasonContains())
        .with("deadSince", f.deadSince())
        .with("deadBefore", f.deadBefore());
  }

  /**
   * {@code criteria} joined by AND, each after {@code prefix}; {@code none} when there are none.
   */
  public static String and(List<String> criteria, String prefix, String none) {
    if (criteria.isEmpty()) {
      return none;
    }
    return prefix + String.join(" AND ", criteria);
  }
}
