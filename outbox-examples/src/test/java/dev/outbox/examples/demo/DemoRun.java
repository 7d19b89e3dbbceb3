package dev.outbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of the demo in this JVM, with what it printed and its exit code.
 *
 * @param exitCode what the demo would exit with
 * @param out what it printed to standard output
 * @param err what it printed to standard error
 */
public record DemoRun(int exitCode, String out, String err) {
  private static final Pattern SUMMARY = Pattern.compile("(?m)^SUMMARY (.*)$");
  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+)");

  /** Runs the demo with {@code args} and no environment variables. */
  public static DemoRun run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = OrderDemo.run(args, Map.of(), o, e);
    }
    return new DemoRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The fields of the SUMMARY line; fails if there is none. */
  public Map<String, Long> summary() {
    Matcher m = SUMMARY.matcher(out);
    assertThat(m.find()).as("a SUMMARY line in:%n%s%n%s", out, err).isTrue();
    Map<String, Long> fields = new HashMap<>();
    Matcher f = FIELD.matcher(m.group(1));
    while (f.find()) {
      fields.put(f.group(1), Long.parseLong(f.group(2)));
    }
    return fields;
  }

  /** Checks the run succeeded and delivered every committed order's message and no other. */
  public Map<String, Long> assertConsistent() {
    assertThat(exitCode).as("exit code; stderr:%n%s", err).isZero();
    Map<String, Long> summary = summary();
    assertThat(summary.get("committed")).isPositive();
    assertThat(summary.get("delivered")).isEqualTo(summary.get("committed"));
    assertThat(summary.get("rolled_back_delivered")).isZero();
    return summary;
  }
}
