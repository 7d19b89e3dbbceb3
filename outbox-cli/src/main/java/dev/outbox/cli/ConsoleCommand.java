package dev.outbox.cli;

import static dev.outbox.cli.OutboxCli.CODE_0;
import static dev.outbox.cli.OutboxCli.CODE_1;
import static dev.outbox.cli.OutboxCli.CODE_2;
import static dev.outbox.cli.OutboxCli.CODE_3;

import dev.outbox.console.ConsoleServer;
import dev.outbox.console.OutboxConsole;
import java.net.InetSocketAddress;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code outbox console}: the web console (module outbox-console) on this outbox, until stopped.
 */
@Command(
    name = "console",
    sortOptions = false,
    description =
        "Serves the web console on this outbox until stopped (Ctrl-C): read-only unless --write,"
            + " on 127.0.0.1 unless --bind says otherwise and --allow-non-loopback allows it.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3})
final class ConsoleCommand extends Commands.Base {
  @Option(names = "--port", paramLabel = "PORT", description = "port, 0 for any (default 8099)")
  int port = 8099;

  @Option(names = "--bind", paramLabel = "ADDRESS", description = "address (default 127.0.0.1)")
  String bind = "127.0.0.1";

  @Option(names = "--allow-non-loopback", description = "allow an address other than loopback")
  boolean allowNonLoopback;

  @Option(names = "--write", description = "allow replay, purge, key actions, pause and resume")
  boolean write;

  @Option(
      names = "--run-for",
      paramLabel = "DURATION",
      description = "stop after DURATION (default: run until stopped)")
  Duration runFor;

  @Override
  public int run(Session s) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535, was " + port);
    }
    OutboxConsole console =
        OutboxConsole.builder(s.admin())
            .writeAccess(write)
            .allowNonLoopback(allowNonLoopback)
            .build();
    InetSocketAddress address = new InetSocketAddress(bind, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("--bind: cannot resolve address '" + bind + "'");
    }
    try (ConsoleServer server = start(console, address)) {
      s.out.println(
          "outbox console for "
              + s.where()
              + " at "
              + server.uri()
              + (write ? " (write access)" : " (read-only)")
              + "; Ctrl-C stops it");
      s.out.flush();
      Thread.sleep(runFor == null ? Long.MAX_VALUE : Math.max(1, runFor.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private ConsoleServer start(OutboxConsole console, InetSocketAddress address) {
    try {
      return console.start(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage() + " On the command line: --allow-non-loopback.", e);
    } catch (java.io.UncheckedIOException e) {
      throw new CliException(
          OutboxCli.EXIT_FAILED, e.getMessage() + ": " + e.getCause().getMessage());
    }
  }
}
