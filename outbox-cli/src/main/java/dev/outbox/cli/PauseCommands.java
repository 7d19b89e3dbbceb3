package dev.outbox.cli;

import static dev.outbox.cli.Commands.pauses;
import static dev.outbox.cli.Commands.time;
import static dev.outbox.cli.OutboxCli.CODE_0;
import static dev.outbox.cli.OutboxCli.CODE_1;
import static dev.outbox.cli.OutboxCli.CODE_2;
import static dev.outbox.cli.OutboxCli.CODE_3;
import static dev.outbox.cli.OutboxCli.CODE_4;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.admin.PausedTopic;
import dev.outbox.cli.Commands.Base;
import dev.outbox.cli.Commands.ChangeOptions;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pause}, {@code resume} and {@code paused}: delivery per topic, stored in the database. */
final class PauseCommands {
  private PauseCommands() {}

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
}
