package dev.outbox.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/** Starts a class's {@code main} in a JVM of its own, on this JVM's class path, for crash tests. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code main} with {@code args}; its standard error is merged into its output. */
  public static Process start(Class<?> main, String... args) throws IOException {
    return builder(main, args).start();
  }

  /**
   * Starts {@code main} with {@code args}, its standard output and error appended to {@code log}:
   * for a process whose output nobody reads, which would otherwise stall once the pipe is full.
   */
  public static Process start(Path log, Class<?> main, String... args) throws IOException {
    return builder(main, args)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private static ProcessBuilder builder(Class<?> main, String... args) {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String[] command = new String[args.length + 4];
    command[0] = java;
    command[1] = "-cp";
    command[2] = System.getProperty("java.class.path");
    command[3] = main.getName();
    System.arraycopy(args, 0, command, 4, args.length);
    return new ProcessBuilder(command).redirectErrorStream(true);
  }
}
