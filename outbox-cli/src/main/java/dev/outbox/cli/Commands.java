package dev.outbox.cli;

import static dev.outbox.cli.OutboxCli.CODE_0;
import static dev.outbox.cli.OutboxCli.CODE_1;
import static dev.outbox.cli.OutboxCli.CODE_2;
import static dev.outbox.cli.OutboxCli.CODE_3;
import static dev.outbox.cli.OutboxCli.CODE_4;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.OutboxAdmin;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.KeyDiagnosis;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.Overview;
import dev.outbox.admin.Page;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.ReplayPlacement;
import dev.outbox.admin.TopicCounts;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The subcommands of {@code outbox}, each a picocli command and an {@link OutboxCli.Action}. */
final class Commands {
  private Commands() {}

  /** What every subcommand takes. */
  abstract static class Base implements OutboxCli.Action {
    @Mixin ConnectionOptions connection = new ConnectionOptions();
  }

  /** What every change takes. */
  static final class ChangeOptions {
    @Option(names = "--yes", description = "do it without asking")
    boolean yes;

    @Option(names = "--dry-run", description = "only show what would be touched")
    boolean dryRun;
  }

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

  // ---- overview ----

  @Command(
      name = "overview",
      sortOptions = false,
      description =
          "How far behind the outbox is: counts by topic and state, oldest pending age,"
              + " attempts, relays and pauses.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3})
  static final class OverviewCommand extends Base {
    @Option(
        names = "--sent-window",
        paramLabel = "DURATION",
        description = "count messages sent within DURATION, 1s to 30d (default 1h)")
    Duration sentWindow = OutboxAdmin.DEFAULT_SENT_WINDOW;

    @Override
    public int run(Session s) {
      if (sentWindow.compareTo(Duration.ofSeconds(1)) < 0
          || sentWindow.compareTo(Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException(
            "--sent-window must be between 1s and 30d, was " + Durations.format(sentWindow));
      }
      Overview o = s.admin().overview(sentWindow);
      if (s.json) {
        s.json(Json.overview(o));
        return 0;
      }
      PrintStream out = s.out;
      out.printf(
          "outbox %s at %s%npending %d, the oldest for %s; dead letters %d%n",
          s.where(),
          time(o.at()),
          o.pending(),
          Durations.format(o.oldestPendingAge()),
          o.deadLetters());
      if (o.allPaused()) {
        out.println("ALL TOPICS ARE PAUSED (outbox resume --all lifts it)");
      }
      out.println();
      String sent = "SENT(" + Durations.format(o.sentWindow()) + ")";
      Table topics =
          new Table("TOPIC", "PENDING", "DUE", "LEASED", "WAITING", "DEAD", sent, "PAUSED");
      for (TopicCounts t : o.topics()) {
        topics.row(
            t.topic(),
            t.pending(),
            t.due(),
            t.leased(),
            t.waiting(),
            t.dead(),
            t.sentRecently(),
            t.paused() ? "yes" : "no");
      }
      topics.print(out, "no topics: the outbox is empty");
      out.println();
      Table attempts = new Table("ATTEMPTS", "PENDING");
      o.attempts().forEach(attempts::row);
      attempts.print(out, "no pending messages");
      out.println();
      relays(o.relays()).print(out, "no relay reported in the last minute");
      out.println();
      pauses(o.paused()).print(out, "no paused topics");
      return 0;
    }
  }

  // ---- messages ----

  @Command(
      name = "messages",
      sortOptions = false,
      description = "Pending messages, oldest first.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3})
  static final class MessagesCommand extends Base {
    @Option(names = "--topic", paramLabel = "TOPIC", description = "only this topic")
    String topic;

    @Option(names = "--key", paramLabel = "KEY", description = "only this key")
    String key;

    @Option(names = "--state", paramLabel = "STATE", description = "only DUE, LEASED or WAITING")
    MessageState state;

    @Option(
        names = "--error",
        paramLabel = "TEXT",
        description = "only messages whose last error contains TEXT (case-sensitive)")
    String error;

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
      MessageFilter f;
      try {
        f = new MessageFilter(topic, key, state, error);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--state: " + e.getMessage(), e);
      }
      Page<MessageView> page = s.admin().pending(f, cursor, limit);
      if (s.json) {
        s.json(Json.page(page, Json::message));
        return 0;
      }
      Table t =
          new Table(
              "ID", "TOPIC", "KEY", "STATE", "ATTEMPTS", "CREATED", "NEXT ATTEMPT", "LAST ERROR");
      for (MessageView m : page.items()) {
        t.row(
            m.id(),
            m.topic(),
            m.key(),
            m.state(),
            m.attempts(),
            time(m.createdAt()),
            time(m.nextAttemptAt()),
            m.lastError());
      }
      t.print(s.out, "no pending messages match");
      nextPage(s.out, page);
      return 0;
    }
  }

  @Command(
      name = "message",
      sortOptions = false,
      description = "One message, pending or sent, by row id or by --message-id.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3})
  static final class MessageCommand extends Base {
    @Parameters(arity = "0..1", paramLabel = "ID", description = "the row id")
    Long id;

    @Option(
        names = "--message-id",
        paramLabel = "UUID",
        description = "find by message id instead (reads the whole table)")
    UUID messageId;

    @Override
    public int run(Session s) {
      if ((id == null) == (messageId == null)) {
        throw new IllegalArgumentException("give a row ID or --message-id (one of them)");
      }
      List<MessageView> found =
          id != null
              ? s.admin().message(id).map(List::of).orElse(List.of())
              : s.admin().messagesById(messageId);
      if (found.isEmpty()) {
        throw new CliException(
            OutboxCli.EXIT_FAILED,
            "no message with " + (id != null ? "id " + id : "message id " + messageId));
      }
      if (s.json) {
        s.json(
            id != null
                ? Json.message(found.get(0))
                : Json.object().set("items", Json.array(found, Json::message)));
        return 0;
      }
      for (int i = 0; i < found.size(); i++) {
        if (i > 0) {
          s.out.println();
        }
        details(s.out, message(found.get(i)));
      }
      return 0;
    }
  }

  // ---- dead letters ----

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
      description = "One dead letter, by its id.",
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

  // ---- keys ----

  @Command(
      name = "key",
      sortOptions = false,
      description =
          "What holds a key back; --retry makes its head due now, --dead-letter moves its head"
              + " to the dead letters.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3, CODE_4})
  static final class KeyCommand extends Base {
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

  // ---- pauses ----

  @Command(
      name = "pause",
      sortOptions = false,
      description =
          "Stops every relay on these tables from claiming a topic's messages (within one poll"
              + " interval), until resume. Stored in the database.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3, CODE_4})
  static final class PauseCommand extends Base {
    @Parameters(arity = "0..1", paramLabel = "TOPIC", description = "the topic")
    String topic;

    @Option(names = "--all", description = "every topic")
    boolean all;

    @Option(names = "--reason", paramLabel = "TEXT", description = "shown to other operators")
    String reason;

    @Mixin ChangeOptions change = new ChangeOptions();

    @Override
    public int run(Session s) {
      String what = target("pause", topic, all);
      Optional<PausedTopic> now = find(s.admin().paused(), topic, all);
      if (now.isPresent()) {
        return pauseResult(
            s, "pause", topic, all, change.dryRun, false, what + " is already paused", now);
      }
      return pauseChange(
          s,
          change,
          "pause",
          topic,
          all,
          "pause " + what,
          "paused " + what,
          () -> {
            if (all) {
              s.admin().pauseAll(reason);
            } else {
              s.admin().pause(topic, reason);
            }
            return true;
          });
    }
  }

  @Command(
      name = "resume",
      sortOptions = false,
      description =
          "Lifts a pause; relays claim the topic again within one poll interval. resume TOPIC"
              + " does not lift pause --all.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3, CODE_4})
  static final class ResumeCommand extends Base {
    @Parameters(arity = "0..1", paramLabel = "TOPIC", description = "the topic")
    String topic;

    @Option(names = "--all", description = "lift the pause of every topic (pause --all)")
    boolean all;

    @Mixin ChangeOptions change = new ChangeOptions();

    @Override
    public int run(Session s) {
      String what = target("resume", topic, all);
      List<PausedTopic> paused = s.admin().paused();
      if (find(paused, topic, all).isEmpty()) {
        String note =
            !all && paused.stream().anyMatch(PausedTopic::allTopics)
                ? " (but every topic is paused: resume --all lifts that)"
                : "";
        return pauseResult(
            s,
            "resume",
            topic,
            all,
            change.dryRun,
            false,
            what + " is not paused" + note,
            Optional.empty());
      }
      return pauseChange(
          s,
          change,
          "resume",
          topic,
          all,
          "resume " + what,
          "resumed " + what,
          () -> all ? s.admin().resumeAll() : s.admin().resume(topic));
    }
  }

  @Command(
      name = "paused",
      sortOptions = false,
      description = "The paused topics.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {CODE_0, CODE_1, CODE_2, CODE_3})
  static final class PausedCommand extends Base {
    @Override
    public int run(Session s) {
      List<PausedTopic> paused = s.admin().paused();
      if (s.json) {
        s.json(Json.object().set("paused", Json.array(paused, Json::paused)));
        return 0;
      }
      pauses(paused).print(s.out, "no paused topics");
      return 0;
    }
  }

  // ---- helpers ----

  /** How a change is named: "replay", "replayed", "dead letter(s)". */
  record Verb(String verb, String past, String noun) {}

  /** A dry run first (unless --yes), then the confirmation, then the change. */
  static int apply(
      Session s, ChangeOptions o, String command, Verb v, Function<Boolean, Change> op) {
    if (o.dryRun || !o.yes) {
      Change preview = op.apply(true);
      if (o.dryRun || preview.rows() == 0) {
        report(s, v, preview);
        return 0;
      }
      PrintStream p = s.json ? s.err : s.out;
      p.println("would " + v.verb() + " " + rows(preview, v));
      s.confirm(command, v.verb() + " " + preview.rows() + " " + v.noun() + "?", o.yes);
    }
    report(s, v, op.apply(false));
    return 0;
  }

  private static void report(Session s, Verb v, Change c) {
    if (s.json) {
      s.json(Json.change(v.verb(), c));
    } else if (c.rows() == 0) {
      s.out.println("nothing to " + v.verb() + ": no " + v.noun() + " match");
    } else {
      s.out.println((c.dryRun() ? "would " + v.verb() : v.past()) + " " + rows(c, v));
    }
  }

  private static String rows(Change c, Verb v) {
    String ids = c.sample().stream().map(String::valueOf).collect(Collectors.joining(", "));
    return c.rows()
        + " "
        + v.noun()
        + (ids.isEmpty() ? "" : ": ids " + ids + (c.rows() > c.sample().size() ? ", ..." : ""));
  }

  @FunctionalInterface
  interface PauseAction {
    boolean run();
  }

  private static int pauseChange(
      Session s,
      ChangeOptions o,
      String command,
      String topic,
      boolean all,
      String question,
      String done,
      PauseAction action) {
    if (o.dryRun) {
      return pauseResult(s, command, topic, all, true, true, "would " + question, Optional.empty());
    }
    if (!o.yes) {
      (s.json ? s.err : s.out).println("would " + question);
      s.confirm(command, question + "?", false);
    }
    boolean changed = action.run();
    return pauseResult(s, command, topic, all, false, changed, done, Optional.empty());
  }

  private static int pauseResult(
      Session s,
      String action,
      String topic,
      boolean all,
      boolean dryRun,
      boolean changed,
      String text,
      Optional<PausedTopic> existing) {
    if (s.json) {
      ObjectNode n = Json.object();
      n.put("action", action);
      n.put("topic", all ? null : topic);
      n.put("allTopics", all);
      n.put("dryRun", dryRun);
      n.put("changed", changed && !dryRun);
      existing.ifPresent(p -> n.set("pause", Json.paused(p)));
      s.json(n);
    } else {
      s.out.println(
          text
              + existing
                  .map(
                      p ->
                          " since "
                              + time(p.pausedAt())
                              + (p.reason() == null ? "" : " (" + p.reason() + ")"))
                  .orElse(""));
    }
    return 0;
  }

  private static String target(String command, String topic, boolean all) {
    if (all == (topic != null)) {
      throw new IllegalArgumentException(command + " needs a TOPIC or --all (not both)");
    }
    return all ? "all topics" : "topic '" + topic + "'";
  }

  private static Optional<PausedTopic> find(List<PausedTopic> paused, String topic, boolean all) {
    return paused.stream()
        .filter(p -> all ? p.allTopics() : !p.allTopics() && p.topic().equals(topic))
        .findFirst();
  }

  private static Table relays(List<RelayView> relays) {
    Table t = new Table("RELAY", "HOST", "STARTED", "SEEN", "LAST CLAIM", "IN FLIGHT");
    for (RelayView r : relays) {
      t.row(
          r.name(),
          r.host(),
          time(r.startedAt()),
          time(r.seenAt()),
          time(r.lastClaimAt()),
          r.inFlight());
    }
    return t;
  }

  private static Table pauses(List<PausedTopic> paused) {
    Table t = new Table("PAUSED TOPIC", "SINCE", "REASON");
    for (PausedTopic p : paused) {
      t.row(p.allTopics() ? "(all topics)" : p.topic(), time(p.pausedAt()), p.reason());
    }
    return t;
  }

  private static Map<String, Object> message(MessageView m) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("id", m.id());
    f.put("message id", m.messageId());
    f.put("topic", m.topic());
    f.put("key", m.key());
    f.put("state", m.state());
    f.put("attempts", m.attempts());
    f.put("created", time(m.createdAt()));
    f.put("next attempt", time(m.nextAttemptAt()));
    f.put("last error", m.lastError());
    f.put("lease until", time(m.leaseUntil()));
    f.put("lease owner", m.leaseOwner());
    f.put("sent", time(m.sentAt()));
    f.put("payload", m.payloadSize() + " bytes");
    f.put("headers", m.headers());
    return f;
  }

  /** Name-value lines, the values aligned; long values are printed whole. */
  private static void details(PrintStream out, Map<String, Object> fields) {
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    fields.forEach(
        (name, value) ->
            out.println(
                name
                    + ":"
                    + " ".repeat(width - name.length() + 2)
                    + (value == null ? "-" : value)));
  }

  private static void nextPage(PrintStream out, Page<?> page) {
    if (page.nextCursor() != null) {
      out.println("more: add --cursor " + page.nextCursor());
    }
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > OutboxAdmin.MAX_PAGE) {
      throw new IllegalArgumentException(
          "--limit must be between 1 and " + OutboxAdmin.MAX_PAGE + ", was " + limit);
    }
  }

  static String time(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
