package dev.outbox.cli;

import static dev.outbox.cli.Commands.apply;
import static dev.outbox.cli.Commands.details;
import static dev.outbox.cli.Commands.message;
import static dev.outbox.cli.OutboxCli.CODE_0;
import static dev.outbox.cli.OutboxCli.CODE_1;
import static dev.outbox.cli.OutboxCli.CODE_2;
import static dev.outbox.cli.OutboxCli.CODE_3;
import static dev.outbox.cli.OutboxCli.CODE_4;

import dev.outbox.admin.KeyDiagnosis;
import dev.outbox.cli.Commands.Base;
import dev.outbox.cli.Commands.ChangeOptions;
import dev.outbox.cli.Commands.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outbox key}: what holds a key back, and the two ways to move it on. */
@Command(
    name = "key",
    sortOptions = false,
    description =
        "What holds a key back; --retry makes its head due now, --dead-letter moves its head"
            + " to the dead letters.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3, CODE_4})
final class KeyCommand extends Base {
  @Parameters(paramLabel = "KEY", description = "the ordering key")
  String key;

  @Option(names = "--retry", description = "make the head due now (if it waits for a retry)")
  boolean retry;

  @Option(names = "--dead-letter", description = "move the head to the dead letters")
  boolean deadLetter;

  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      description = "with --dead-letter: why (default: dead-lettered by an operator)")
  String reason;

  @Mixin ChangeOptions change = new ChangeOptions();

  @Override
  public int run(Session s) {
    if (retry && deadLetter) {
      throw new IllegalArgumentException("--retry and --dead-letter: choose one");
    }
    if (reason != null && !deadLetter) {
      throw new IllegalArgumentException("--reason goes with --dead-letter");
    }
    if (retry) {
      return apply(
          s,
          change,
          "key --retry",
          new Verb("make due now", "made due now", "head message(s) of key '" + key + "'"),
          dry -> s.admin().retryKey(key, dry));
    }
    if (deadLetter) {
      return apply(
          s,
          change,
          "key --dead-letter",
          new Verb("dead-letter", "dead-lettered", "head message(s) of key '" + key + "'"),
          dry -> s.admin().deadLetterKeyHead(key, reason, dry));
    }
    KeyDiagnosis k = s.admin().key(key);
    if (s.json) {
      s.json(Json.key(k));
      return 0;
    }
    s.out.printf(
        "key %s: %s%npending %d, dead letters %d, paused %s%n",
        k.key(), k.verdict(), k.pending(), k.deadLetters(), k.paused() ? "yes" : "no");
    if (k.head().isPresent()) {
      s.out.println();
      s.out.println("head:");
      details(s.out, message(k.head().get()));
    }
    return 0;
  }
}
