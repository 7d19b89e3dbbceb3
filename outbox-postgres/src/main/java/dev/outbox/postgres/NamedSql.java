package dev.outbox.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * SQL written with {@code @name} parameters, turned into JDBC's positional {@code ?} ones once,
 * when a statement is built: the claim's and the admin's statements name their parameters so that
 * one value can appear several times and the text stays readable.
 *
 * @param sql the text with {@code ?} in place of each {@code @name}
 * @param names the parameter names, in the order of the {@code ?}
 */
record NamedSql(String sql, List<String> names) {

  /** Parses {@code named}: {@code @} followed by letters is a parameter. */
  static NamedSql parse(String named) {
    StringBuilder sql = new StringBuilder(named.length());
    List<String> names = new ArrayList<>();
    int i = 0;
    while (i < named.length()) {
      char ch = named.charAt(i);
      if (ch != '@') {
        sql.append(ch);
        i++;
        continue;
      }
      int end = i + 1;
      while (end < named.length() && Character.isLetter(named.charAt(end))) {
        end++;
      }
      names.add(named.substring(i + 1, end));
      sql.append('?');
      i = end;
    }
    return new NamedSql(sql.toString(), List.copyOf(names));
  }
}
