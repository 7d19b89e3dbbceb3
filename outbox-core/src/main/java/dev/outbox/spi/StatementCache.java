package dev.outbox.spi;

import dev.outbox.OutboxTables;
import dev.outbox.admin.Change;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Parsed statements by table set and shape, each built and parsed once. A template names the tables
 * of its {@link OutboxTables} as {@code {T}} (messages), {@code {D}} (dead letters), {@code {P}}
 * (pauses) and {@code {R}} (relays), and may use {@code {SAMPLE}} ({@link Change#SAMPLE}); the
 * cache replaces them with the qualified, quoted names before parsing. Thread-safe.
 */
public final class StatementCache {

  private record Key(OutboxTables tables, String shape) {}

  private final Map<Key, NamedSql> statements = new ConcurrentHashMap<>();
  private final BiFunction<OutboxTables, String, String> qualify;
  private final NamedSql.Syntax syntax;

  /**
   * A cache whose tables are named by {@code qualify} (the table set and one of its table names to
   * the quoted, schema-qualified name) and whose templates are parsed with {@code syntax}.
   */
  public StatementCache(BiFunction<OutboxTables, String, String> qualify, NamedSql.Syntax syntax) {
    this.qualify = qualify;
    this.syntax = syntax;
  }

  /**
   * The statement {@code shape} on {@code tables}, built from {@code template} the first time. The
   * shape names everything the template's text depends on besides the tables.
   */
  public NamedSql get(OutboxTables tables, String shape, Supplier<String> template) {
    return statements.computeIfAbsent(
        new Key(tables, shape), k -> NamedSql.parse(expand(tables, template.get()), syntax));
  }

  private String expand(OutboxTables t, String template) {
    return template
        .replace("{SAMPLE}", Integer.toString(Change.SAMPLE))
        .replace("{T}", qualify.apply(t, t.table()))
        .replace("{D}", qualify.apply(t, t.deadLetterTable()))
        .replace("{P}", qualify.apply(t, t.pauseTable()))
        .replace("{R}", qualify.apply(t, t.relayTable()));
  }
}
