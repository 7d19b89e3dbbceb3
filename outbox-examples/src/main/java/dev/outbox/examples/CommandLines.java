package dev.outbox.examples;

import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** How the demo and the benchmark read their command lines with picocli. */
public final class CommandLines {
  private CommandLines() {}

  /**
   * Parses {@code args} against {@code line}; a flag given twice keeps its last value.
   *
   * @param noun what the command calls its flags in messages ("flag", "option")
   * @throws IllegalArgumentException naming an unknown {@code noun}, an argument that is none, or a
   *     {@code noun} without its value
   */
  public static ParseResult parse(CommandLine line, String[] args, String noun) {
    line.setOverwrittenOptionsAllowed(true);
    try {
      return line.parseArgs(args);
    } catch (UnmatchedArgumentException e) {
      String first = e.getUnmatched().get(0);
      throw new IllegalArgumentException(
          first.startsWith("--")
              ? "unknown " + noun + " " + first.split("=", 2)[0] + "; see --help"
              : "unexpected argument '" + first + "'; " + noun + "s start with --",
          e);
    } catch (MissingParameterException e) {
      ArgSpec missing = e.getMissing().get(0);
      String name = missing instanceof OptionSpec o ? o.longestName() : missing.paramLabel();
      throw new IllegalArgumentException(name + " needs a value", e);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
