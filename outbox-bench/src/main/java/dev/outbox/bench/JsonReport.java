package dev.outbox.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.bench.Results.Result;
import dev.outbox.bench.Results.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link Report} as JSON with Jackson: the machine, the options, every measurement with
 * its per-round values, medians, min, max and ratio, and the target checks. NaN and infinities,
 * which JSON lacks, are written as null.
 */
final class JsonReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  /** Writes {@code report} to {@code path}, creating parent directories. */
  static void write(Report report, Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(path.toFile(), tree(report));
  }

  /** The JSON text of {@code report}. */
  static String toJson(Report report) throws IOException {
    return JSON.writeValueAsString(tree(report)) + "\n";
  }

  /** {@code report} as a JSON tree. */
  private static ObjectNode tree(Report r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("started", r.started().toString());
    root.put("finished", r.finished().toString());
    root.set("machine", machine(r.machine()));
    root.set("options", options(r.options()));
    ArrayNode results = root.putArray("results");
    for (Result result : r.results()) {
      results.add(result(result));
    }
    ArrayNode targets = root.putArray("targets");
    for (Targets.Check c : r.targets()) {
      targets
          .addObject()
          .put("target", c.target())
          .put("measured", c.measured())
          .put("met", c.met());
    }
    return root;
  }

  private static ObjectNode machine(Machine m) {
    ObjectNode o = JSON.createObjectNode();
    o.put("cores", m.cores());
    o.put("memoryBytes", m.memoryBytes());
    o.put("cpu", m.cpu());
    o.put("os", m.os());
    o.put("java", m.java());
    o.put("database", m.database());
    ObjectNode settings = o.putObject("settings");
    for (Map.Entry<String, String> e : new TreeMap<>(m.settings()).entrySet()) {
      settings.put(e.getKey(), e.getValue());
    }
    o.put("loadAtStart", m.loadAtStart());
    o.put("loadAtEnd", m.loadAtEnd());
    return o;
  }

  private static ObjectNode options(BenchOptions o) {
    ObjectNode n = JSON.createObjectNode();
    n.put("database", o.database().name().toLowerCase(Locale.ROOT));
    n.put("scenarios", o.scenarios().toString());
    n.put("rounds", o.rounds());
    n.put("messages", o.messages());
    n.put("payloadBytes", o.payloadBytes());
    n.put("producerThreads", o.producerThreads());
    integers(n.putArray("relays"), o.relayCounts());
    integers(n.putArray("batchSizes"), o.batchSizes());
    integers(n.putArray("keys"), o.keyCounts());
    n.put("orderings", o.orderings().toString());
    integers(n.putArray("backlogSizes"), o.backlogSizes());
    n.put("scheduled", o.scheduled());
    integers(n.putArray("latencyRates"), o.latencyRates());
    n.put("latencyDurationMs", o.latencyDuration().toMillis());
    n.put("pollIntervalMs", o.pollInterval().toMillis());
    n.put("batchesInFlight", o.batchesInFlight());
    n.put("lingerMillis", o.linger().toMillis());
    n.put("historyRows", o.historyRows());
    n.put("growthClaims", o.growthClaims());
    n.put("warmup", o.warmup());
    return n;
  }

  private static void integers(ArrayNode array, List<Integer> values) {
    values.forEach(array::add);
  }

  private static ObjectNode result(Result r) {
    Results.Key k = r.key();
    ObjectNode o = JSON.createObjectNode();
    o.put("scenario", k.scenario());
    o.put("variant", k.variant());
    o.put("metric", k.metric());
    o.put("unit", k.unit());
    o.put("better", k.better().name().toLowerCase(Locale.ROOT));
    o.set("baseline", samples(r.baseline()));
    o.set("outbox", samples(r.outbox()));
    number(o, "ratio", r.ratio());
    return o;
  }

  private static ObjectNode samples(Samples s) {
    ObjectNode o = JSON.createObjectNode();
    number(o, "median", s.median());
    number(o, "min", s.min());
    number(o, "max", s.max());
    ArrayNode rounds = o.putArray("rounds");
    for (double v : s.values()) {
      if (finite(v)) {
        rounds.add(v);
      } else {
        rounds.addNull();
      }
    }
    return o;
  }

  /** Puts {@code value} under {@code name}, or null when it is NaN or infinite. */
  private static void number(ObjectNode o, String name, double value) {
    if (finite(value)) {
      o.put(name, value);
    } else {
      o.putNull(name);
    }
  }

  private static boolean finite(double d) {
    return !Double.isNaN(d) && !Double.isInfinite(d);
  }
}
