package dev.outbox.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A table for people: a header and rows, each column as wide as its widest cell. */
final class Table {
  /** Longest cell printed; longer ones (errors, reasons) end in "...". */
  static final int MAX_CELL = 60;

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
    rows.add(Arrays.stream(cells).map(Table::cell).toList());
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
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    line(out, header, width);
    for (List<String> row : rows) {
      line(out, row, width);
    }
  }

  private static void line(PrintStream out, List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      b.append(cell);
      if (i < cells.size() - 1) {
        b.append(" ".repeat(width[i] - cell.length() + 2));
      }
    }
    out.println(b.toString().stripTrailing());
  }

  static String cell(Object value) {
    if (value == null) {
      return "-";
    }
    String s = value.toString().replaceAll("\\s+", " ").strip();
    if (s.isEmpty()) {
      return "-";
    }
    return s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 3) + "..." : s;
  }
}
