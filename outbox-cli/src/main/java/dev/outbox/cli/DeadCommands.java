package dev.outbox.cli;

import static dev.outbox.cli.Commands.apply;
import static dev.outbox.cli.Commands.checkLimit;
import static dev.outbox.cli.Commands.details;
import static dev.outbox.cli.Commands.nextPage;
import static dev.outbox.cli.Commands.payload;
import static dev.outbox.cli.Commands.time;
import static dev.outbox.cli.OutboxCli.CODE_0;
import static dev.outbox.cli.OutboxCli.CODE_1;
import static dev.outbox.cli.OutboxCli.CODE_2;
import static dev.outbox.cli.OutboxCli.CODE_3;
import static dev.outbox.cli.OutboxCli.CODE_4;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.Page;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.cli.Commands.Base;
import dev.outbox.cli.Commands.ChangeOptions;
import dev.outbox.cli.Commands.Verb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outbox dead}: list, show, replay and purge dead letters. */
final class DeadCommands {
  private DeadCommands() {}

  /** The criteria of dead-letter listings, replays and purges. */
  static final class DeadFilterOptions {
    @Option(names = "--topic", paramLabel = "TOPIC", description = "only this topic")
    String topic;

    @Option(names = "--key", paramLabel = "KEY", description = "only this key")
    String key;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        description = "only reasons containing TEXT (case-sensitive)")
    String reason;

    @Option(
        names = "--since",
        paramLabel = "DURATION",
        description = "only those dead within DURATION (e.g. 1h)")
    Duration since;

    @Option(
        names = "--before",
        paramLabel = "DURATION",
        description = "only those dead longer than DURATION ago (e.g. 30d; 0s: all until now)")
    Duration before;

    /** The filter, times counted back from now; {@code ids} may be null. */
    DeadLetterFilter filter(List<Long> ids) {
      Instant now = Instant.now();
      DeadLetterFilter f = DeadLetterFilter.none();
      f = f.withIds(ids == null ? List.of() : ids).withTopic(topic).withKey(key);
      f = f.withReasonContaining(reason);
      f = since == null ? f : f.withDeadSince(now.minus(since));
      return before == null ? f : f.withDeadBefore(now.minus(before));
    }
  }

  @Command(
      name = "dead",
      description = "Dead letters: list, show, replay, purge.",
      synopsisSubcommandLabel = "COMMAND",
      subcommands = {
        DeadListCommand.class,
        DeadShowCommand.class,
        DeadReplayCommand.class,
        DeadPurgeCommand.class
      })
  static final class DeadCommand {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "this text")
    boolean help;
  }

  @Command(
      name = "list",
      sortOptions = false,
      description = "Dead letters, newest first.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3})
  static final class DeadListCommand extends Base {
    @Mixin DeadFilterOptions filter = new DeadFilterOptions();

    @Option(names = "--limit", paramLabel = "N", description = "at most N, 1-1000 (default 50)")
    int limit = 50;

    @Option(
        names = "--cursor",
        paramLabel = "CURSOR",
        description = "the next page, as the previous one printed")
    String cursor;

    @Override
    public int run(Session s) {
      checkLimit(limit);
      Page<DeadLetterView> page = s.admin().deadLetters(filter.filter(null), cursor, limit);
      if (s.json) {
        s.json(Json.page(page, Json::deadLetter));
        return 0;
      }
      Table t =
          new Table(
              "ID", "ORIGINAL ID", "TOPIC", "KEY", "DEAD AT", "ATTEMPTS", "REPLAYS", "REASON");
      for (DeadLetterView d : page.items()) {
        t.row(
            d.id(),
            d.originalId(),
            d.topic(),
            d.key(),
            time(d.deadAt()),
            d.attempts(),
            d.replayCount(),
            d.reason());
      }
      t.print(s.out, "no dead letters match");
      nextPage(s.out, page);
      return 0;
    }
  }

  @Command(
      name = "show",
      sortOptions = false,
      description = {
        "One dead letter, by its id, with the first "
            + OutboxAdmin.PAYLOAD_PREVIEW_BYTES
            + " bytes of its payload: as text when they"
            + " are UTF-8 without control characters (newline and tab allowed), else as hex, 16"
            + " bytes a line; then how many bytes were left out.",
        "With --json: payloadPreview holds those bytes in base64, payloadSize the full size."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3})
  static final class DeadShowCommand extends Base {
    @Parameters(paramLabel = "ID", description = "the dead letter's id (dead list's ID)")
    long id;

    @Override
    public int run(Session s) {
      DeadLetterView d =
          s.admin()
              .deadLetter(id)
              .orElseThrow(() -> new CliException(OutboxCli.EXIT_FAILED, "no dead letter " + id));
      if (s.json) {
        s.json(Json.deadLetter(d));
        return 0;
      }
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("id", d.id());
      f.put("original id", d.originalId());
      f.put("message id", d.messageId());
      f.put("topic", d.topic());
      f.put("key", d.key());
      f.put("created", time(d.createdAt()));
      f.put("dead at", time(d.deadAt()));
      f.put("attempts", d.attempts());
      f.put("replays", d.replayCount());
      f.put("payload", d.payloadSize() + " bytes");
      f.put("headers", d.headers());
      f.put("reason", d.reason());
      details(s.out, f);
      payload(s.out, d.payloadPreview(), d.payloadSize());
      return 0;
    }
  }

  /** What replay and purge share: which dead letters, and the confirmation. */
  abstract static class DeadChange extends Base {
    @Option(
        names = "--id",
        paramLabel = "ID",
        description = "this dead letter (repeatable; up to 1000)")
    List<Long> ids = new ArrayList<>();

    @Mixin DeadFilterOptions filter = new DeadFilterOptions();

    @Option(names = "--all", description = "every dead letter (needed when no --id or filter)")
    boolean all;

    @Mixin ChangeOptions change = new ChangeOptions();

    DeadLetterFilter criteria(String command) {
      DeadLetterFilter f = filter.filter(ids);
      if (all && !f.isEmpty()) {
        throw new IllegalArgumentException(
            "--all means every dead letter: drop it, or drop --id and the filters");
      }
      if (!all && f.isEmpty()) {
        throw new IllegalArgumentException(
            command
                + " needs --id, a filter (--topic, --key, --reason, --since, --before) or --all");
      }
      return all ? DeadLetterFilter.all() : f;
    }
  }

  @Command(
      name = "replay",
      sortOptions = false,
      description =
          "Moves dead letters back to pending (due now, attempts 0), at their original place in"
              + " their key's order unless --at-end.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3, CODE_4})
  static final class DeadReplayCommand extends DeadChange {
    @Option(names = "--at-end", description = "behind everything enlisted so far instead")
    boolean atEnd;

    @Override
    public int run(Session s) {
      DeadLetterFilter f = criteria("dead replay");
      ReplayPlacement placement = atEnd ? ReplayPlacement.END : ReplayPlacement.ORIGINAL;
      return apply(
          s,
          change,
          "dead replay",
          new Verb("replay", "replayed", "dead letter(s)"),
          dry -> s.admin().replay(f, placement, dry));
    }
  }

  @Command(
      name = "purge",
      sortOptions = false,
      description = "Deletes dead letters.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3, CODE_4})
  static final class DeadPurgeCommand extends DeadChange {
    @Override
    public int run(Session s) {
      DeadLetterFilter f = criteria("dead purge");
      return apply(
          s,
          change,
          "dead purge",
          new Verb("purge", "purged", "dead letter(s)"),
          dry -> s.admin().purge(f, dry));
    }
  }
}
