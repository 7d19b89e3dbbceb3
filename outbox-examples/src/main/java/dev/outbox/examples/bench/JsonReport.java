package dev.outbox.examples.bench;

import dev.outbox.examples.bench.Results.Result;
import dev.outbox.examples.bench.Results.Samples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link Report} as JSON: the machine, the options, every measurement with its per-round
 * values, medians, min, max and ratio, and the target checks. Written by hand: the module has no
 * JSON library, and the shape is small and fixed.
 */
final class JsonReport {
  private final StringBuilder out = new StringBuilder();

  private JsonReport() {}

  /** Writes {@code report} to {@code path}, creating parent directories. */
  static void write(Report report, Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(path, toJson(report), StandardCharsets.UTF_8);
  }

  /** The JSON text of {@code report}. */
  static String toJson(Report report) {
    JsonReport j = new JsonReport();
    j.report(report);
    return j.out.append('\n').toString();
  }

  private void report(Report r) {
    out.append("{\n");
    field("started", r.started().toString()).append(",\n");
    field("finished", r.finished().toString()).append(",\n");
    name("machine").append(machine(r.machine())).append(",\n");
    name("options").append(options(r.options())).append(",\n");
    name("results").append("[\n");
    List<Result> results = r.results();
    for (int i = 0; i < results.size(); i++) {
      out.append("  ").append(result(results.get(i))).append(i + 1 < results.size() ? ",\n" : "\n");
    }
    out.append("],\n");
    name("targets").append("[\n");
    List<Targets.Check> targets = r.targets();
    for (int i = 0; i < targets.size(); i++) {
      Targets.Check c = targets.get(i);
      out.append("  {\"target\": ")
          .append(string(c.target()))
          .append(", \"measured\": ")
          .append(string(c.measured()))
          .append(", \"met\": ")
          .append(c.met())
          .append(i + 1 < targets.size() ? "},\n" : "}\n");
    }
    out.append("]\n}");
  }

  private StringBuilder name(String name) {
    return out.append(string(name)).append(": ");
  }

  private StringBuilder field(String name, String value) {
    return name(name).append(string(value));
  }

  private static String machine(Machine m) {
    return "{\"cores\": "
        + m.cores()
        + ", \"memoryBytes\": "
        + m.memoryBytes()
        + ", \"cpu\": "
        + string(m.cpu())
        + ", \"os\": "
        + string(m.os())
        + ", \"java\": "
        + string(m.java())
        + ", \"database\": "
        + string(m.database())
        + ", \"settings\": "
        + map(m.settings())
        + ", \"loadAtStart\": "
        + string(m.loadAtStart())
        + ", \"loadAtEnd\": "
        + string(m.loadAtEnd())
        + "}";
  }

  private static String options(BenchOptions o) {
    return "{\"database\": "
        + string(o.database().name().toLowerCase(java.util.Locale.ROOT))
        + ", \"scenarios\": "
        + string(o.scenarios().toString())
        + ", \"rounds\": "
        + o.rounds()
        + ", \"messages\": "
        + o.messages()
        + ", \"payloadBytes\": "
        + o.payloadBytes()
        + ", \"producerThreads\": "
        + o.producerThreads()
        + ", \"relays\": "
        + o.relayCounts()
        + ", \"batchSizes\": "
        + o.batchSizes()
        + ", \"keys\": "
        + o.keyCounts()
        + ", \"orderings\": "
        + string(o.orderings().toString())
        + ", \"backlogSizes\": "
        + o.backlogSizes()
        + ", \"latencyRates\": "
        + o.latencyRates()
        + ", \"latencyDurationMs\": "
        + o.latencyDuration().toMillis()
        + ", \"pollIntervalMs\": "
        + o.pollInterval().toMillis()
        + ", \"batchesInFlight\": "
        + o.batchesInFlight()
        + ", \"historyRows\": "
        + o.historyRows()
        + ", \"growthClaims\": "
        + o.growthClaims()
        + ", \"warmup\": "
        + o.warmup()
        + "}";
  }

  private static String result(Result r) {
    Results.Key k = r.key();
    return "{\"scenario\": "
        + string(k.scenario())
        + ", \"variant\": "
        + string(k.variant())
        + ", \"metric\": "
        + string(k.metric())
        + ", \"unit\": "
        + string(k.unit())
        + ", \"better\": "
        + string(k.better().name().toLowerCase(java.util.Locale.ROOT))
        + ", \"baseline\": "
        + samples(r.baseline())
        + ", \"outbox\": "
        + samples(r.outbox())
        + ", \"ratio\": "
        + number(r.ratio())
        + "}";
  }

  private static String samples(Samples s) {
    StringBuilder b = new StringBuilder("{\"median\": ");
    b.append(number(s.median()))
        .append(", \"min\": ")
        .append(number(s.min()))
        .append(", \"max\": ")
        .append(number(s.max()))
        .append(", \"rounds\": [");
    for (int i = 0; i < s.values().size(); i++) {
      b.append(i == 0 ? "" : ", ").append(number(s.values().get(i)));
    }
    return b.append("]}").toString();
  }

  private static String map(Map<String, String> map) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
      b.append(b.length() == 1 ? "" : ", ")
          .append(string(e.getKey()))
          .append(": ")
          .append(string(e.getValue()));
    }
    return b.append('}').toString();
  }

  /** A JSON number; NaN and infinities, which JSON lacks, become null. */
  static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "null";
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  static String string(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
