package dev.outbox.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A table for people: a header and rows, each column as wide as its widest cell. The last column
 * (an error, a reason) is the one people read whole: it is wrapped onto continuation lines under
 * itself rather than cut, so a line stays within {@link #LINE_WIDTH} where the other columns allow.
 */
final class Table {
  /** Longest cell printed in the columns before the last; longer ones end in "...". */
  static final int MAX_CELL = 60;

  /** Longest text printed in the last column, over all its lines; --json prints it whole. */
  static final int MAX_LAST_CELL = 1000;

  /** The line width the last column is wrapped to. */
  static final int LINE_WIDTH = 120;

  /** The last column is never wrapped narrower than this, however wide the others are. */
  static final int MIN_LAST_WIDTH = 40;

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  /** Adds a row; null cells print as "-". */
  Table row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException(
          "a row of " + cells.length + " cells in a table of " + header.size() + " columns");
    }
    List<String> row = new ArrayList<>();
    for (int i = 0; i < cells.length; i++) {
      row.add(cell(cells[i], i == cells.length - 1 ? MAX_LAST_CELL : MAX_CELL));
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Prints the table, or {@code empty} alone when it has no rows. */
  void print(PrintStream out, String empty) {
    if (rows.isEmpty()) {
      out.println(empty);
      return;
    }
    int last = header.size() - 1;
    int[] width = new int[header.size()];
    int indent = 0;
    for (int i = 0; i < last; i++) {
      width[i] = header.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
      indent += width[i] + 2;
    }
    int lastWidth = Math.max(MIN_LAST_WIDTH, LINE_WIDTH - indent);
    line(out, header, width, lastWidth, indent);
    for (List<String> row : rows) {
      line(out, row, width, lastWidth, indent);
    }
  }

  private static void line(
      PrintStream out, List<String> cells, int[] width, int lastWidth, int indent) {
    StringBuilder b = new StringBuilder();
    int last = cells.size() - 1;
    for (int i = 0; i < last; i++) {
      String cell = cells.get(i);
      b.append(cell).append(" ".repeat(width[i] - cell.length() + 2));
    }
    List<String> parts = wrap(cells.get(last), lastWidth);
    b.append(parts.get(0));
    for (String part : parts.subList(1, parts.size())) {
      b.append(System.lineSeparator()).append(" ".repeat(indent)).append(part);
    }
    out.println(b.toString().stripTrailing());
  }

  /** {@code text} in lines of at most {@code width}, broken at spaces where there are any. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    String rest = text;
    while (rest.length() > width) {
      int cut = rest.lastIndexOf(' ', width);
      if (cut <= 0) {
        lines.add(rest.substring(0, width));
        rest = rest.substring(width);
      } else {
        lines.add(rest.substring(0, cut));
        rest = rest.substring(cut + 1);
      }
    }
    lines.add(rest);
    return lines;
  }

  /** {@code value} on one line, whitespace runs as one space, cut to {@code max} characters. */
  static String cell(Object value, int max) {
    if (value == null) {
      return "-";
    }
    String s = value.toString().replaceAll("\\s+", " ").strip();
    if (s.isEmpty()) {
      return "-";
    }
    return s.length() > max ? s.substring(0, max - 3) + "..." : s;
  }
}
