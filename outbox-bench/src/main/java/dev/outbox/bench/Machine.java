package dev.outbox.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;

/**
 * The machine and database the numbers were measured on: without it a number means nothing.
 *
 * @param cores processors available to the JVM
 * @param memoryBytes physical memory, or -1 when the JVM cannot tell
 * @param cpu the CPU model (Linux), or "unknown"
 * @param os operating system, version and architecture
 * @param java the Java runtime
 * @param database the database server's version string
 * @param settings the server settings that matter for these numbers
 * @param loadAtStart the 1/5/15-minute load averages when the run started (Linux), or "unknown"
 * @param loadAtEnd the same when it ended
 */
record Machine(
    int cores,
    long memoryBytes,
    String cpu,
    String os,
    String java,
    String database,
    Map<String, String> settings,
    String loadAtStart,
    String loadAtEnd) {

  /** Describes this machine and {@code db}; the end load is filled in by {@link #ended()}. */
  static Machine collect(BenchDatabase db) throws SQLException {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        memory(),
        cpuModel(),
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        db.version(),
        Map.copyOf(db.settings()),
        load(),
        "");
  }

  /** This description with the load averages at the end of the run. */
  Machine ended() {
    return new Machine(cores, memoryBytes, cpu, os, java, database, settings, loadAtStart, load());
  }

  private static long memory() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return -1;
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String load() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
