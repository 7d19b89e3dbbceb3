package dev.outbox.console;

import static dev.outbox.console.Html.age;
import static dev.outbox.console.Html.time;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.Overview;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.TopicCounts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The overview page: totals, topics (pause, resume), pauses, attempts and relays. */
final class OverviewPage {
  private static final Map<String, Template> T = Template.load("pages.html");

  private final OutboxAdmin admin;
  private final Views views;

  OverviewPage(OutboxAdmin admin, Views views) {
    this.admin = admin;
    this.views = views;
  }

  String render(Call call) {
    Overview o = admin.overview();
    String b = call.base();
    Html.Safe page =
        T.get("overview")
            .render(
                "pending", o.pending(),
                "oldest", age(o.oldestPendingAge()),
                "base", b,
                "dead", o.deadLetters(),
                "at", time(o.at()),
                "allPaused", o.allPaused() ? T.get("all-paused").render() : Html.Safe.EMPTY,
                "actions", pauseAllButton(b, o),
                "sentWindow", age(o.sentWindow()),
                "actionHeader", actionHeader(),
                "topics", topics(b, o),
                "pauses", pauses(b, o),
                "attempts", attempts(o),
                "relays", relays(o));
    return views.layout(b, "Overview", page);
  }

  private Html.Safe pauseAllButton(String b, Overview o) {
    if (!views.writeAccess()) {
      return Html.Safe.EMPTY;
    }
    return views.actions(
        o.allPaused()
            ? views.button(
                b, "/actions/resume", Map.of("all", "true"), "Resume all topics", "resume-all")
            : views.button(
                b, "/actions/pause", Map.of("all", "true"), "Pause all topics", "pause-all"));
  }

  private Html.Safe actionHeader() {
    return views.writeAccess() ? T.get("action-header").render() : Html.Safe.EMPTY;
  }

  private Html.Safe actionCell(Html.Safe button) {
    return views.writeAccess() ? T.get("action-cell").render("button", button) : Html.Safe.EMPTY;
  }

  private Html.Safe topics(String b, Overview o) {
    if (o.topics().isEmpty()) {
      return T.get("no-topics").render();
    }
    Set<String> pausedAlone = new HashSet<>();
    for (PausedTopic p : o.paused()) {
      if (!p.allTopics()) {
        pausedAlone.add(p.topic());
      }
    }
    List<Html.Safe> rows = new ArrayList<>();
    for (TopicCounts t : o.topics()) {
      boolean alone = pausedAlone.contains(t.topic());
      Object state =
          alone
              ? T.get("paused-state").render("text", "paused")
              : t.paused()
                  ? T.get("paused-state").render("text", "paused (all topics)")
                  : "running";
      Map<String, String> topic = Map.of("topic", t.topic());
      Html.Safe button =
          views.writeAccess()
              ? alone
                  ? views.button(b, "/actions/resume", topic, "Resume", "resume")
                  : views.button(b, "/actions/pause", topic, "Pause", "pause")
              : Html.Safe.EMPTY;
      rows.add(
          T.get("topic-row")
              .render(
                  "topic", t.topic(),
                  "due", t.due(),
                  "leased", t.leased(),
                  "waiting", t.waiting(),
                  "pendingHref", Html.href(b + "/pending", topic),
                  "pending", t.pending(),
                  "deadHref", Html.href(b + "/dead-letters", topic),
                  "dead", t.dead(),
                  "sent", t.sentRecently(),
                  "state", state,
                  "action", actionCell(button)));
    }
    return Html.join(rows);
  }

  private Html.Safe pauses(String b, Overview o) {
    if (o.paused().isEmpty()) {
      return T.get("no-pauses").render();
    }
    List<Html.Safe> rows = new ArrayList<>();
    for (PausedTopic p : o.paused()) {
      Map<String, String> which =
          p.allTopics() ? Map.of("all", "true") : Map.of("topic", p.topic());
      Html.Safe button =
          views.writeAccess()
              ? views.button(b, "/actions/resume", which, "Resume", "resume")
              : Html.Safe.EMPTY;
      rows.add(
          T.get("pause-row")
              .render(
                  "topic", p.allTopics() ? T.get("all-topics").render() : p.topic(),
                  "since", time(p.pausedAt()),
                  "reason", p.reason(),
                  "action", actionCell(button)));
    }
    return T.get("pauses").render("actionHeader", actionHeader(), "rows", Html.join(rows));
  }

  private static Html.Safe attempts(Overview o) {
    if (o.attempts().isEmpty()) {
      return T.get("no-attempts").render();
    }
    List<Html.Safe> rows = new ArrayList<>();
    o.attempts()
        .forEach(
            (n, count) -> rows.add(T.get("attempts-row").render("attempts", n, "messages", count)));
    return T.get("attempts").render("rows", Html.join(rows));
  }

  private static Html.Safe relays(Overview o) {
    if (o.relays().isEmpty()) {
      return T.get("no-relays").render("window", age(OutboxAdmin.RELAY_WINDOW));
    }
    List<Html.Safe> rows = new ArrayList<>();
    for (RelayView r : o.relays()) {
      rows.add(
          T.get("relay-row")
              .render(
                  "name", r.name(),
                  "host", r.host(),
                  "instance", Long.toHexString(r.instance()),
                  "started", time(r.startedAt()),
                  "seen", time(r.seenAt()),
                  "lastClaim", time(r.lastClaimAt()),
                  "inFlight", r.inFlight()));
    }
    return T.get("relays").render("rows", Html.join(rows));
  }
}
