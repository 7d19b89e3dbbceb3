package dev.outbox.spi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;

/**
 * SQL written with {@code @name} parameters, turned into JDBC's positional {@code ?} ones once,
 * when a statement is built, so that one value can appear several times and the text stays
 * readable.
 *
 * <p>A parameter is {@code @} followed by a letter or {@code _} and then letters, digits or {@code
 * _}. A small lexer skips what is not SQL code: string literals ({@code '…'} with {@code ''}),
 * quoted identifiers ({@code "…"}, and {@code `…`} in {@link Syntax#MYSQL}), comments ({@code --
 * …}, {@code /* … *&#47;}, and {@code # …} in MySQL) and PostgreSQL's dollar-quoted strings ({@code
 * $tag$ … $tag$}); an {@code @} in any of them is text. {@code @@name} (a MySQL system variable)
 * and an {@code @} not followed by a name (PostgreSQL's {@code @>} operator) are text too. A {@code
 * ?} outside them is refused: it would be taken for a parameter by the driver.
 *
 * <p>Instances are immutable and thread-safe; parse once and cache (see {@link StatementCache}).
 */
public final class NamedSql {

  /** The lexical rules of one database's SQL text. */
  public enum Syntax {
    /**
     * Standard SQL as PostgreSQL reads it: {@code ''} inside literals, backslashes only in {@code
     * E'…'} literals, {@code "…"} identifiers, nested block comments, dollar quoting.
     */
    STANDARD,
    /**
     * MySQL and MariaDB in their default SQL mode: a backslash escapes the next character in {@code
     * '…'} and {@code "…"}, {@code `…`} identifiers, {@code #} line comments.
     */
    MYSQL
  }

  private final String sql;
  private final List<String> names;

  /** Where each name's {@code ?} is in {@link #sql}. */
  private final int[] offsets;

  private NamedSql(String sql, List<String> names, int[] offsets) {
    this.sql = sql;
    this.names = names;
    this.offsets = offsets;
  }

  /** Parses {@code named} with the {@link Syntax#STANDARD} rules. */
  public static NamedSql parse(String named) {
    return parse(named, Syntax.STANDARD);
  }

  /**
   * Parses {@code named} with the rules of {@code syntax}.
   *
   * @throws IllegalArgumentException if the text holds a positional {@code ?}, or a literal, quoted
   *     identifier or block comment that is not closed
   */
  public static NamedSql parse(String named, Syntax syntax) {
    Lexer lexer = new Lexer(named, syntax);
    lexer.run();
    int[] offsets = lexer.offsets.stream().mapToInt(Integer::intValue).toArray();
    return new NamedSql(lexer.out.toString(), List.copyOf(lexer.names), offsets);
  }

  /** The text with {@code ?} in place of each {@code @name}. */
  public String sql() {
    return sql;
  }

  /** The parameter names, in the order of the {@code ?}; a name may appear more than once. */
  public List<String> names() {
    return names;
  }

  /**
   * Prepares the statement on {@code c} and binds each parameter from {@code params} with {@code
   * types}. A value made with {@link SqlParams#expand} stands for a comma-separated list of
   * parameters, one per element (for {@code IN (@ids)}); it must not be empty.
   *
   * @throws IllegalArgumentException if {@code params} has no value for a name
   */
  public PreparedStatement prepare(Connection c, SqlParams params, JdbcTypes types)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(expandedText(params));
    try {
      int index = 1;
      for (String name : names) {
        Object value = params.value(name);
        if (value instanceof SqlParams.Expanded list) {
          for (Object element : list.values()) {
            types.bind(ps, index++, element);
          }
        } else {
          types.bind(ps, index++, value);
        }
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /** The positional text with each expanded list given its placeholders. */
  String expandedText(SqlParams params) {
    boolean expands = false;
    for (String name : names) {
      expands |= params.value(name) instanceof SqlParams.Expanded;
    }
    if (!expands) {
      return sql;
    }
    StringBuilder text = new StringBuilder(sql.length() + 64);
    int from = 0;
    for (int n = 0; n < names.size(); n++) {
      text.append(sql, from, offsets[n]);
      Object value = params.value(names.get(n));
      text.append(value instanceof SqlParams.Expanded list ? placeholders(list.values()) : "?");
      from = offsets[n] + 1;
    }
    return text.append(sql, from, sql.length()).toString();
  }

  private static String placeholders(Collection<?> values) {
    StringJoiner joined = new StringJoiner(", ");
    values.forEach(v -> joined.add("?"));
    return joined.toString();
  }

  @Override
  public String toString() {
    return sql + " " + names;
  }

  /** One pass over the text; copies it to {@link #out} with names replaced. */
  private static final class Lexer {
    private final String in;
    private final Syntax syntax;
    private final StringBuilder out;
    private final List<String> names = new ArrayList<>();
    private final List<Integer> offsets = new ArrayList<>();
    private int i;

    Lexer(String in, Syntax syntax) {
      this.in = in;
      this.syntax = syntax;
      this.out = new StringBuilder(in.length());
    }

    void run() {
      while (i < in.length()) {
        step();
      }
    }

    private void step() {
      char ch = in.charAt(i);
      char next = i + 1 < in.length() ? in.charAt(i + 1) : 0;
      boolean mysql = syntax == Syntax.MYSQL;
      if (ch == '\'') {
        quoted('\'', mysql || escapePrefix());
      } else if (ch == '"') {
        quoted('"', mysql);
      } else if (ch == '`' && mysql) {
        quoted('`', false);
      } else if ((ch == '-' && next == '-') || (ch == '#' && mysql)) {
        lineComment();
      } else if (ch == '/' && next == '*') {
        blockComment(!mysql);
      } else if (ch == '$' && !mysql && dollarTag() != null) {
        dollarQuoted(dollarTag());
      } else if (ch == '@') {
        parameter(next);
      } else if (ch == '?') {
        throw new IllegalArgumentException(
            "positional '?' at offset " + i + " in SQL written with @name parameters: " + in);
      } else {
        copy(1);
      }
    }

    /** Whether the literal starting here is an {@code E'…'} literal (backslash escapes). */
    private boolean escapePrefix() {
      if (i == 0 || Character.toUpperCase(in.charAt(i - 1)) != 'E') {
        return false;
      }
      return i == 1 || !isNamePart(in.charAt(i - 2));
    }

    private void quoted(char quote, boolean backslashEscapes) {
      int start = i;
      int j = i + 1;
      while (true) {
        if (j >= in.length()) {
          throw new IllegalArgumentException(
              "unclosed " + quote + " starting at offset " + start + " in SQL: " + in);
        }
        char c = in.charAt(j);
        if (backslashEscapes && c == '\\') {
          j += 2;
        } else if (c == quote && j + 1 < in.length() && in.charAt(j + 1) == quote) {
          j += 2;
        } else if (c == quote) {
          break;
        } else {
          j++;
        }
      }
      copy(j + 1 - i);
    }

    private void lineComment() {
      int end = in.indexOf('\n', i);
      copy((end < 0 ? in.length() : end) - i);
    }

    private void blockComment(boolean nested) {
      int start = i;
      int depth = 0;
      int j = i;
      do {
        if (j + 1 >= in.length()) {
          throw new IllegalArgumentException(
              "unclosed comment starting at offset " + start + " in SQL: " + in);
        }
        if (in.startsWith("/*", j) && (nested || depth == 0)) {
          depth++;
          j += 2;
        } else if (in.startsWith("*/", j)) {
          depth--;
          j += 2;
        } else {
          j++;
        }
      } while (depth > 0);
      copy(j - i);
    }

    /** The dollar-quote tag starting here ({@code $$} or {@code $name$}), or null. */
    private String dollarTag() {
      if (i > 0 && isNamePart(in.charAt(i - 1))) {
        return null; // a $ inside an identifier
      }
      int j = i + 1;
      if (j < in.length() && Character.isDigit(in.charAt(j))) {
        return null; // $1: a positional parameter, not a quote
      }
      while (j < in.length() && isNamePart(in.charAt(j))) {
        j++;
      }
      return j < in.length() && in.charAt(j) == '$' ? in.substring(i, j + 1) : null;
    }

    private void dollarQuoted(String tag) {
      int end = in.indexOf(tag, i + tag.length());
      if (end < 0) {
        throw new IllegalArgumentException(
            "unclosed " + tag + " quote starting at offset " + i + " in SQL: " + in);
      }
      copy(end + tag.length() - i);
    }

    private void parameter(char next) {
      if (next == '@') {
        int j = i + 2;
        while (j < in.length() && (isNamePart(in.charAt(j)) || in.charAt(j) == '.')) {
          j++;
        }
        copy(j - i); // @@system.variable
        return;
      }
      if (!Character.isLetter(next) && next != '_') {
        copy(1); // an operator such as @> or @
        return;
      }
      int j = i + 1;
      while (j < in.length() && isNamePart(in.charAt(j))) {
        j++;
      }
      names.add(in.substring(i + 1, j));
      offsets.add(out.length());
      out.append('?');
      i = j;
    }

    private void copy(int n) {
      out.append(in, i, i + n);
      i += n;
    }

    private static boolean isNamePart(char c) {
      return Character.isLetterOrDigit(c) || c == '_';
    }
  }
}
