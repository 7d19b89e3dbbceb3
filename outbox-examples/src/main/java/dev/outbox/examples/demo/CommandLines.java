package dev.outbox.examples.demo;

import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** How the demo reads its command line with picocli. */
final class CommandLines {
  private CommandLines() {}

  /**
   * Parses {@code args} against {@code line}; an option given twice keeps its last value.
   *
   * @throws IllegalArgumentException naming an unknown option, an argument that is none, or an
   *     option without its value
   */
  static ParseResult parse(CommandLine line, String[] args) {
    line.setOverwrittenOptionsAllowed(true);
    try {
      return line.parseArgs(args);
    } catch (UnmatchedArgumentException e) {
      String first = e.getUnmatched().get(0);
      throw new IllegalArgumentException(
          first.startsWith("--")
              ? "unknown option " + first.split("=", 2)[0] + "; see --help"
              : "unexpected argument '" + first + "'; options start with --",
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
