package dev.outbox.bench;

import dev.outbox.bench.Results.Result;
import dev.outbox.bench.Results.Samples;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One benchmark run: where it ran, with what settings, and what it measured. Renders itself as the
 * text table the harness prints; {@link JsonReport} writes the same as JSON.
 *
 * @param machine the machine and database
 * @param options the settings of the run
 * @param results every measurement, both sides, every round
 * @param targets the targets, checked against this run
 * @param started when the run started
 * @param finished when it ended
 */
record Report(
    Machine machine,
    BenchOptions options,
    List<Result> results,
    List<Targets.Check> targets,
    Instant started,
    Instant finished) {

  /** The printed form: machine, table, targets. */
  String render() {
    StringBuilder out = new StringBuilder();
    header(out);
    table(out);
    targets(out);
    return out.toString();
  }

  private void header(StringBuilder out) {
    Machine m = machine;
    out.append("\nJDBC Outbox benchmark, ")
        .append(started)
        .append(", ")
        .append(Duration.between(started, finished).toSeconds())
        .append(" s\n");
    out.append(
        String.format(
            Locale.ROOT,
            "machine: %d cores (%s), %.1f GiB memory, %s, %s%n",
            m.cores(),
            m.cpu(),
            m.memoryBytes() / (1024.0 * 1024 * 1024),
            m.os(),
            m.java()));
    out.append("load average at start: ")
        .append(m.loadAtStart())
        .append(", at end: ")
        .append(m.loadAtEnd())
        .append('\n');
    out.append("database: ").append(m.database()).append('\n');
    List<String> settings = new ArrayList<>();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(m.settings()).entrySet()) {
      settings.add(e.getKey() + "=" + e.getValue());
    }
    out.append("settings: ").append(String.join(", ", settings)).append('\n');
    out.append(
        String.format(
            Locale.ROOT,
            "N=%,d messages of %d bytes, %d rounds (baseline and outbox interleaved),"
                + " %d producer threads, %d batches in flight per relay, linger %d ms%n%n",
            options.messages(),
            options.payloadBytes(),
            options.rounds(),
            options.producerThreads(),
            options.batchesInFlight(),
            options.linger().toMillis()));
  }

  private void table(StringBuilder out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "scenario",
          "variant",
          "metric",
          "baseline median (min-max)",
          "outbox median (min-max)",
          "outbox/baseline"
        });
    for (Result r : results) {
      String unit = r.key().unit();
      rows.add(
          new String[] {
            r.key().scenario(),
            r.key().variant(),
            r.key().metric()
                + " "
                + unit
                + (r.key().better() == Results.Better.LOWER ? " (lower is better)" : ""),
            cell(r.baseline(), unit),
            cell(r.outbox(), unit),
            Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio())
          });
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      out.append(line(rows.get(r), widths)).append('\n');
      if (r == 0) {
        String[] rule = new String[widths.length];
        for (int i = 0; i < widths.length; i++) {
          rule[i] = "-".repeat(widths[i]);
        }
        out.append(line(rule, widths)).append('\n');
      }
    }
  }

  private static String line(String[] cells, int[] widths) {
    StringBuilder b = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      b.append(' ').append(String.format("%-" + widths[i] + "s", cells[i])).append(" |");
    }
    return b.toString();
  }

  private void targets(StringBuilder out) {
    if (targets.isEmpty()) {
      return;
    }
    out.append("\ntargets:\n");
    for (Targets.Check c : targets) {
      out.append(c.met() ? "  met     " : "  MISSED  ")
          .append(c.target())
          .append(": ")
          .append(c.measured())
          .append('\n');
    }
  }

  private static String cell(Samples s, String unit) {
    if (s.isEmpty()) {
      return "-";
    }
    return number(s.median(), unit)
        + " ("
        + number(s.min(), unit)
        + "-"
        + number(s.max(), unit)
        + ")";
  }

  /**
   * A value as the table shows it: whole messages per second, milliseconds and factors ({@code x})
   * to 2 decimals.
   */
  static String number(double value, String unit) {
    if (Double.isNaN(value)) {
      return "-";
    }
    return unit.equals("ms") || unit.equals("x")
        ? String.format(Locale.ROOT, "%.2f", value)
        : String.format(Locale.ROOT, "%,.0f", value);
  }
}
