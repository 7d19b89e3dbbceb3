package dev.outbox.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One run of the {@code outbox} command in this JVM, with what it printed and its exit code.
 *
 * @param exitCode what the command would exit with
 * @param out what it printed to standard output
 * @param err what it printed to standard error
 */
record CliRun(int exitCode, String out, String err) {

  /** Runs with no terminal (so a change without --yes is refused) and no environment. */
  static CliRun run(String... args) {
    return run(Map.of(), null, args);
  }

  /** Runs with {@code answer} typed on the terminal. */
  static CliRun answering(String answer, String... args) {
    return run(Map.of(), new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)), args);
  }

  static CliRun run(Map<String, String> env, InputStream terminal, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = OutboxCli.run(args, env, terminal, o, e);
    }
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
  }
}
