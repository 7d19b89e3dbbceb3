package dev.outbox.testkit;

import java.io.File;
import java.io.IOException;

/** Starts a class's {@code main} in a JVM of its own, on this JVM's class path, for crash tests. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code main} with {@code args}; its standard error is merged into its output. */
  public static Process start(Class<?> main, String... args) throws IOException {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String[] command = new String[args.length + 4];
    command[0] = java;
    command[1] = "-cp";
    command[2] = System.getProperty("java.class.path");
    command[3] = main.getName();
    System.arraycopy(args, 0, command, 4, args.length);
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }
}
