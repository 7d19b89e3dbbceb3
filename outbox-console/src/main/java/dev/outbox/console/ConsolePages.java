package dev.outbox.console;

import static dev.outbox.console.Html.time;
import static dev.outbox.console.Views.input;
import static dev.outbox.console.Views.keyLink;
import static dev.outbox.console.Views.link;
import static dev.outbox.console.Views.row;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.KeyDiagnosis;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.Page;
import dev.outbox.admin.PayloadText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The console's read-only pages besides the overview: dead letters, pending messages, keys. */
final class ConsolePages {
  private static final Map<String, Template> T = Template.load("pages.html");

  private final OutboxAdmin admin;
  private final Views views;
  private final OverviewPage overview;

  ConsolePages(OutboxAdmin admin, Views views) {
    this.admin = admin;
    this.views = views;
    this.overview = new OverviewPage(admin, views);
  }

  /** Whether {@code path} is one of these pages. */
  static boolean isPage(String path) {
    return path.equals("/")
        || path.equals("/dead-letters")
        || path.startsWith("/dead-letters/")
        || path.equals("/pending")
        || path.equals("/key");
  }

  /** The page at {@code call.path()}, which {@link #isPage} accepted. */
  String render(Call call) {
    String p = call.path();
    if (p.equals("/")) {
      return overview.render(call);
    }
    if (p.equals("/dead-letters")) {
      return deadLetters(call);
    }
    if (p.startsWith("/dead-letters/")) {
      return deadLetter(call, p.substring("/dead-letters/".length()));
    }
    return p.equals("/pending") ? pending(call) : key(call);
  }

  /** The dead-letter filter of a page's query or an action's form (topic, key, reason). */
  static DeadLetterFilter deadLetterFilter(Call call) {
    DeadLetterFilter f = DeadLetterFilter.none();
    if (call.param("topic") != null) {
      f = f.withTopic(call.param("topic"));
    }
    if (call.param("key") != null) {
      f = f.withKey(call.param("key"));
    }
    if (call.param("reason") != null) {
      f = f.withReasonContaining(call.param("reason"));
    }
    return f;
  }

  private String deadLetters(Call call) {
    String b = call.base();
    DeadLetterFilter filter = deadLetterFilter(call);
    int limit = call.params().limit();
    Page<DeadLetterView> page = admin.deadLetters(filter, call.param("cursor"), limit);
    Map<String, String> filterParams = new LinkedHashMap<>();
    putIf(filterParams, "topic", filter.topic());
    putIf(filterParams, "key", filter.key());
    putIf(filterParams, "reason", filter.reasonContains());
    Html.Safe list =
        page.items().isEmpty()
            ? T.get("no-dead-letters")
                .render("filtered", filter.isEmpty() ? "" : " match this filter")
            : deadLetterTable(b, page, nextPage(b + "/dead-letters", filterParams, page, limit));
    Html.Safe actions = Html.Safe.EMPTY;
    if (views.writeAccess()) {
      Map<String, String> byFilter = new LinkedHashMap<>(filterParams);
      byFilter.put("scope", "filter");
      String what = filter.isEmpty() ? "ALL dead letters" : "all matching this filter";
      actions =
          views.actions(
              views.button(b, "/actions/replay", byFilter, "Replay " + what, "replay-filter"),
              views.button(b, "/actions/purge", byFilter, "Purge " + what, "purge-filter"));
    }
    Html.Safe inputs =
        Html.join(
            List.of(
                input("topic", "Topic", call.param("topic")),
                input("key", "Key", call.param("key")),
                input("reason", "Reason contains", call.param("reason"))));
    Html.Safe html =
        T.get("dead-letters").render("base", b, "inputs", inputs, "list", list, "actions", actions);
    return views.layout(b, "Dead letters", html);
  }

  private Html.Safe deadLetterTable(String b, Page<DeadLetterView> page, Html.Safe next) {
    boolean w = views.writeAccess();
    List<Html.Safe> rows = new ArrayList<>();
    for (DeadLetterView d : page.items()) {
      rows.add(
          T.get("dead-letter-row")
              .render(
                  "id", d.id(),
                  "select", w ? T.get("select-cell").render("id", d.id()) : Html.Safe.EMPTY,
                  "base", b,
                  "topic", d.topic(),
                  "key", keyLink(b, d.key()),
                  "reason", d.reason(),
                  "died", time(d.deadAt()),
                  "attempts", d.attempts(),
                  "replays", d.replayCount(),
                  "bytes", d.payloadSize()));
    }
    return T.get("dead-letter-table")
        .render(
            "formStart",
            w
                ? T.get("selected-form-start").render("base", b, "csrf", views.csrf())
                : Html.Safe.EMPTY,
            "selectHeader",
            w ? T.get("action-header").render() : Html.Safe.EMPTY,
            "rows",
            Html.join(rows),
            "formEnd",
            w ? T.get("selected-form-end").render("base", b) : Html.Safe.EMPTY,
            "next",
            next);
  }

  private static Html.Safe nextPage(
      String path, Map<String, String> filterParams, Page<?> page, int limit) {
    if (page.nextCursor() == null) {
      return Html.Safe.EMPTY;
    }
    Map<String, String> next = new LinkedHashMap<>(filterParams);
    next.put("cursor", page.nextCursor());
    next.put("limit", Integer.toString(limit));
    return T.get("next-page").render("href", Html.href(path, next));
  }

  private String deadLetter(Call call, String idText) {
    String b = call.base();
    long id;
    try {
      id = Long.parseLong(idText);
    } catch (NumberFormatException e) {
      throw new HttpError(404, "No dead letter '" + idText + "': ids are numbers.");
    }
    DeadLetterView d =
        admin
            .deadLetter(id)
            .orElseThrow(
                () -> new HttpError(404, "No dead letter " + id + " (replayed or purged?)."));
    List<Html.Safe> headers = new ArrayList<>();
    d.headers().forEach((k, v) -> headers.add(T.get("header-line").render("name", k, "value", v)));
    Html.Safe rows =
        Html.join(
            List.of(
                row("Message id", d.messageId()),
                row("Original id", d.originalId()),
                row("Topic", d.topic()),
                row("Key", keyLink(b, d.key())),
                row("Reason", Views.pre(d.reason())),
                row("Enlisted", time(d.createdAt())),
                row("Died", time(d.deadAt())),
                row("Attempts", d.attempts()),
                row("Replays", d.replayCount()),
                row("Payload", d.payloadSize() + " bytes"),
                row("Headers", headers.isEmpty() ? "none" : Html.join(headers)),
                row("Payload start", payloadPreview(d))));
    Html.Safe actions = Html.Safe.EMPTY;
    if (views.writeAccess()) {
      Map<String, String> one = Map.of("scope", "ids", "id", Long.toString(d.id()));
      actions =
          views.actions(
              views.button(b, "/actions/replay", one, "Replay", "replay"),
              views.button(b, "/actions/purge", one, "Purge", "purge"));
    }
    String title = "Dead letter " + d.id();
    return views.layout(
        b, title, T.get("detail").render("title", title, "rows", rows, "actions", actions));
  }

  /** The payload's first bytes as text or hex ({@link PayloadText}), escaped by the template. */
  private static Html.Safe payloadPreview(DeadLetterView d) {
    if (d.payloadPreview() == null) {
      return Html.Safe.EMPTY;
    }
    return Views.pre(String.join("\n", PayloadText.lines(d.payloadPreview(), d.payloadSize())));
  }

  private String pending(Call call) {
    String b = call.base();
    MessageFilter filter = messageFilter(call);
    int limit = call.params().limit();
    Page<MessageView> page = admin.pending(filter, call.param("cursor"), limit);
    List<Html.Safe> states = new ArrayList<>();
    for (MessageState s : List.of(MessageState.DUE, MessageState.LEASED, MessageState.WAITING)) {
      states.add(
          T.get(s == filter.state() ? "state-option-selected" : "state-option").render("state", s));
    }
    Html.Safe list = T.get("no-pending").render();
    if (!page.items().isEmpty()) {
      List<Html.Safe> rows = new ArrayList<>();
      page.items().forEach(m -> rows.add(pendingRow(b, m)));
      Map<String, String> filterParams = new LinkedHashMap<>();
      putIf(filterParams, "topic", call.param("topic"));
      putIf(filterParams, "key", call.param("key"));
      putIf(filterParams, "state", filter.state() == null ? null : filter.state().name());
      putIf(filterParams, "error", call.param("error"));
      Html.Safe next = nextPage(b + "/pending", filterParams, page, limit);
      list = T.get("pending-table").render("rows", Html.join(rows), "next", next);
    }
    Html.Safe html =
        T.get("pending")
            .render(
                "base", b,
                "topicInput", input("topic", "Topic", call.param("topic")),
                "keyInput", input("key", "Key", call.param("key")),
                "states", Html.join(states),
                "errorInput", input("error", "Error contains", call.param("error")),
                "list", list);
    return views.layout(b, "Pending messages", html);
  }

  private static MessageFilter messageFilter(Call call) {
    MessageFilter filter = MessageFilter.any();
    if (call.param("topic") != null) {
      filter = filter.withTopic(call.param("topic"));
    }
    if (call.param("key") != null) {
      filter = filter.withKey(call.param("key"));
    }
    String state = call.param("state");
    if (state != null) {
      try {
        filter = filter.withState(MessageState.valueOf(state.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, "state must be DUE, LEASED or WAITING, was '" + state + "'.");
      }
    }
    if (call.param("error") != null) {
      filter = filter.withErrorContaining(call.param("error"));
    }
    return filter;
  }

  private static Html.Safe pendingRow(String b, MessageView m) {
    return T.get("pending-row")
        .render(
            "id", m.id(),
            "messageId", m.messageId(),
            "topic", m.topic(),
            "key", keyLink(b, m.key()),
            "state", m.state(),
            "attempts", m.attempts(),
            "enlisted", time(m.createdAt()),
            "nextAttempt", time(m.nextAttemptAt()),
            "lastError", m.lastError(),
            "leaseOwner", m.leaseOwner(),
            "bytes", m.payloadSize());
  }

  private String key(Call call) {
    String b = call.base();
    String key = call.param("key");
    Html.Safe diagnosis = key == null ? Html.Safe.EMPTY : diagnosis(b, admin.key(key));
    Html.Safe html =
        T.get("key").render("base", b, "input", input("key", "Key", key), "diagnosis", diagnosis);
    return views.layout(b, "Key diagnosis", html);
  }

  private Html.Safe diagnosis(String b, KeyDiagnosis d) {
    Map<String, String> key = Map.of("key", d.key());
    Html.Safe rows =
        Html.join(
            List.of(
                row("Key", d.key()),
                row("Pending", link(Html.href(b + "/pending", key), d.pending())),
                row("Dead letters", link(Html.href(b + "/dead-letters", key), d.deadLetters())),
                row("Topic paused", d.paused() ? "yes" : "no")));
    Html.Safe head = d.head().map(m -> head(b, d.key(), m)).orElse(Html.Safe.EMPTY);
    return T.get("key-diagnosis").render("verdict", d.verdict(), "rows", rows, "head", head);
  }

  private Html.Safe head(String b, String key, MessageView m) {
    Html.Safe rows =
        Html.join(
            List.of(
                row("Id", m.id()),
                row("Message id", m.messageId()),
                row("Topic", m.topic()),
                row("State", m.state().name()),
                row("Attempts", m.attempts()),
                row("Next attempt", time(m.nextAttemptAt())),
                row("Last error", m.lastError() == null ? "–" : Views.pre(m.lastError())),
                row("Lease owner", m.leaseOwner() == null ? "–" : m.leaseOwner()),
                row("Lease until", time(m.leaseUntil())),
                row("Enlisted", time(m.createdAt()))));
    Html.Safe actions = Html.Safe.EMPTY;
    if (views.writeAccess()) {
      Map<String, String> k = Map.of("key", key);
      actions =
          views.actions(
              views.button(b, "/actions/retry-key", k, "Retry now", "retry-key"),
              views.button(
                  b, "/actions/dead-letter-head", k, "Dead-letter the head", "dead-letter-head"));
    }
    return T.get("key-head").render("rows", rows, "actions", actions);
  }

  private static void putIf(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }
}
