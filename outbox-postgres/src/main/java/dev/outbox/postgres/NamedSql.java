package dev.outbox.postgres;

import java.util.List;

/**
 * The claim's view of {@link dev.outbox.spi.NamedSql}: the positional text and the names, as {@link
 * PostgresClaim} binds them itself.
 *
 * @param sql the text with {@code ?} in place of each {@code @name}
 * @param names the parameter names, in the order of the {@code ?}
 */
record NamedSql(String sql, List<String> names) {

  /** Parses {@code named} with the shared lexer (literals and comments are skipped). */
  static NamedSql parse(String named) {
    dev.outbox.spi.NamedSql parsed = dev.outbox.spi.NamedSql.parse(named);
    return new NamedSql(parsed.sql(), parsed.names());
  }
}
