package dev.outbox.cli;

import static dev.outbox.cli.Commands.checkLimit;
import static dev.outbox.cli.Commands.details;
import static dev.outbox.cli.Commands.message;
import static dev.outbox.cli.Commands.nextPage;
import static dev.outbox.cli.Commands.pauses;
import static dev.outbox.cli.Commands.payload;
import static dev.outbox.cli.Commands.time;
import static dev.outbox.cli.OutboxCli.CODE_0;
import static dev.outbox.cli.OutboxCli.CODE_1;
import static dev.outbox.cli.OutboxCli.CODE_2;
import static dev.outbox.cli.OutboxCli.CODE_3;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.Overview;
import dev.outbox.admin.Page;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.TopicCounts;
import dev.outbox.cli.Commands.Base;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that look at the backlog: {@code overview}, {@code messages}, {@code message}. */
final class MessageCommands {
  private MessageCommands() {}

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
      description = {
        "One message, pending or sent, by row id or by --message-id, with the first "
            + OutboxAdmin.PAYLOAD_PREVIEW_BYTES
            + " bytes of its payload shown as dead show shows them.",
        "With --json: payloadPreview holds those bytes in base64, payloadSize the full size."
      },
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
        MessageView m = found.get(i);
        details(s.out, message(m));
        payload(s.out, m.payloadPreview(), m.payloadSize());
      }
      return 0;
    }
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
}
