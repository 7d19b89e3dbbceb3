package dev.outbox.cli;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.Change;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.Page;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.PayloadText;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the subcommands of {@code outbox} share: the options every command or change takes, the
 * confirmation of a change, and how values are printed. The commands themselves are grouped by
 * area: {@link MessageCommands}, {@link DeadCommands}, {@link KeyCommand}, {@link PauseCommands}.
 */
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

  static Table pauses(List<PausedTopic> paused) {
    Table t = new Table("PAUSED TOPIC", "SINCE", "REASON");
    for (PausedTopic p : paused) {
      t.row(p.allTopics() ? "(all topics)" : p.topic(), time(p.pausedAt()), p.reason());
    }
    return t;
  }

  static Map<String, Object> message(MessageView m) {
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
  static void details(PrintStream out, Map<String, Object> fields) {
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    fields.forEach(
        (name, value) ->
            out.println(
                name
                    + ":"
                    + " ".repeat(width - name.length() + 2)
                    + (value == null ? "-" : value)));
  }

  /** The payload's first bytes as text or hex ({@link PayloadText}); nothing when none was read. */
  static void payload(PrintStream out, byte[] preview, long size) {
    if (preview != null) {
      PayloadText.lines(preview, size).forEach(out::println);
    }
  }

  static void nextPage(PrintStream out, Page<?> page) {
    if (page.nextCursor() != null) {
      out.println("more: add --cursor " + page.nextCursor());
    }
  }

  static void checkLimit(int limit) {
    if (limit < 1 || limit > OutboxAdmin.MAX_PAGE) {
      throw new IllegalArgumentException(
          "--limit must be between 1 and " + OutboxAdmin.MAX_PAGE + ", was " + limit);
    }
  }

  static String time(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
