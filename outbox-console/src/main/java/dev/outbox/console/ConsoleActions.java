package dev.outbox.console;

import dev.outbox.OutboxAdmin;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.ReplayPlacement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's actions, each in two steps: without {@code confirmed=yes} the confirmation page
 * (with a dry run's count where the admin has one), with it the action and its result page. The
 * router has checked write access, the origin and the CSRF token before.
 */
final class ConsoleActions {
  private static final Map<String, Template> T = Template.load("actions.html");

  private static final Set<String> PATHS =
      Set.of(
          "/actions/pause",
          "/actions/resume",
          "/actions/replay",
          "/actions/purge",
          "/actions/retry-key",
          "/actions/dead-letter-head");

  private final OutboxAdmin admin;
  private final Views views;

  ConsoleActions(OutboxAdmin admin, Views views) {
    this.admin = admin;
    this.views = views;
  }

  /** Whether {@code path} is an action. */
  static boolean isAction(String path) {
    return PATHS.contains(path);
  }

  /** Runs the action at {@code call.path()}, which {@link #isAction} accepted. */
  String run(Call call) {
    boolean confirmed = "yes".equals(call.param("confirmed"));
    return switch (call.path()) {
      case "/actions/pause" -> pause(call, confirmed);
      case "/actions/resume" -> resume(call, confirmed);
      case "/actions/replay", "/actions/purge" -> replayOrPurge(call, confirmed);
      case "/actions/retry-key" -> retryKey(call, confirmed);
      default -> deadLetterHead(call, confirmed);
    };
  }

  private String pause(Call call, boolean confirmed) {
    boolean all = "true".equals(call.param("all"));
    String topic = all ? null : call.params().required("topic");
    String what = all ? "all topics" : "topic '" + topic + "'";
    if (!confirmed) {
      return views.confirm(
          call,
          "Pause " + what,
          T.get("pause-explain").render("what", what),
          T.get("pause-reason").render(),
          "Pause",
          Set.of("reason"),
          false);
    }
    if (all) {
      admin.pauseAll(call.param("reason"));
    } else {
      admin.pause(topic, call.param("reason"));
    }
    return views.done(call, "Paused " + what + ".", "/");
  }

  private String resume(Call call, boolean confirmed) {
    boolean all = "true".equals(call.param("all"));
    String topic = all ? null : call.params().required("topic");
    String what = all ? "all topics" : "topic '" + topic + "'";
    if (!confirmed) {
      String more = all ? " Topics paused one by one stay paused." : "";
      return views.confirm(
          call,
          "Resume " + what,
          T.get("resume-explain").render("what", what, "more", more),
          Html.Safe.EMPTY,
          "Resume",
          Set.of(),
          false);
    }
    boolean was = all ? admin.resumeAll() : admin.resume(topic);
    return views.done(
        call,
        was ? "Resumed " + what + "." : "Nothing to resume: " + what + " was not paused.",
        "/");
  }

  private String replayOrPurge(Call call, boolean confirmed) {
    boolean replay = call.path().equals("/actions/replay");
    String verb = replay ? "replay" : "purge";
    DeadLetterFilter filter = deadLetters(call, verb);
    ReplayPlacement placement =
        "end".equals(call.param("placement")) ? ReplayPlacement.END : ReplayPlacement.ORIGINAL;
    if (!confirmed) {
      Change dry = replay ? admin.replay(filter, placement, true) : admin.purge(filter, true);
      if (dry.rows() == 0) {
        return views.nothing(
            call, "Nothing to " + verb + ": no dead letter matches " + describe(filter) + ".");
      }
      String title = (replay ? "Replay " : "Purge ") + count(dry.rows(), "dead letter");
      Html.Safe explain =
          T.get(replay ? "replay-explain" : "purge-explain")
              .render(
                  "count",
                  dry.rows(),
                  "plural",
                  dry.rows() == 1 ? "" : "s",
                  "what",
                  describe(filter) + sample(dry));
      return views.confirm(
          call, title, explain, Html.Safe.EMPTY, replay ? "Replay" : "Purge", Set.of(), true);
    }
    Change c = replay ? admin.replay(filter, placement, false) : admin.purge(filter, false);
    String message = (replay ? "Replayed " : "Purged ") + count(c.rows(), "dead letter") + ".";
    return views.done(call, message, "/dead-letters");
  }

  /** The dead letters an action names: by {@code scope=ids} and {@code id}s, or by filter. */
  private static DeadLetterFilter deadLetters(Call call, String verb) {
    String scope = call.param("scope");
    if ("ids".equals(scope)) {
      List<Long> ids = new ArrayList<>();
      for (String id : call.params().all("id")) {
        try {
          ids.add(Long.parseLong(id.strip()));
        } catch (NumberFormatException e) {
          throw new HttpError(400, "Dead-letter ids are numbers, not '" + id + "'.");
        }
      }
      if (ids.isEmpty()) {
        throw new HttpError(400, "Select at least one dead letter to " + verb + ".");
      }
      return DeadLetterFilter.none().withIds(ids);
    }
    if ("filter".equals(scope)) {
      DeadLetterFilter filter = ConsolePages.deadLetterFilter(call);
      return filter.isEmpty() ? DeadLetterFilter.all() : filter;
    }
    throw new HttpError(400, "scope must be 'ids' or 'filter'.");
  }

  private String retryKey(Call call, boolean confirmed) {
    String key = call.params().required("key");
    if (!confirmed) {
      Change dry = admin.retryKey(key, true);
      if (dry.rows() == 0) {
        return views.nothing(
            call,
            "Nothing to retry: key '" + key + "' has no waiting head (none pending, or leased).");
      }
      Html.Safe explain =
          T.get("retry-explain").render("key", key, "count", dry.rows(), "sample", sample(dry));
      return views.confirm(
          call,
          "Retry key '" + key + "' now",
          explain,
          Html.Safe.EMPTY,
          "Retry now",
          Set.of(),
          true);
    }
    Change c = admin.retryKey(key, false);
    return views.done(
        call, "Made " + c.rows() + " message of key '" + key + "' due now.", keyPath(key));
  }

  private String deadLetterHead(Call call, boolean confirmed) {
    String key = call.params().required("key");
    if (!confirmed) {
      Change dry = admin.deadLetterKeyHead(key, null, true);
      if (dry.rows() == 0) {
        return views.nothing(
            call,
            "Nothing to dead-letter: key '"
                + key
                + "' has no head to move (none pending, or leased).");
      }
      Html.Safe explain =
          T.get("dead-letter-head-explain")
              .render("key", key, "count", dry.rows(), "sample", sample(dry));
      return views.confirm(
          call,
          "Dead-letter the head of key '" + key + "'",
          explain,
          T.get("dead-letter-head-reason").render(),
          "Dead-letter",
          Set.of("reason"),
          true);
    }
    Change c = admin.deadLetterKeyHead(key, call.param("reason"), false);
    return views.done(
        call,
        "Moved " + c.rows() + " message of key '" + key + "' to the dead letters.",
        keyPath(key));
  }

  private static String keyPath(String key) {
    return "/key?key=" + Html.url(key);
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** The filter in words, for the confirmation. */
  static String describe(DeadLetterFilter f) {
    if (f.everything()) {
      return "all dead letters";
    }
    List<String> parts = new ArrayList<>();
    if (!f.ids().isEmpty()) {
      parts.add(f.ids().size() == 1 ? "id " + f.ids().get(0) : f.ids().size() + " selected ids");
    }
    if (f.topic() != null) {
      parts.add("topic '" + f.topic() + "'");
    }
    if (f.key() != null) {
      parts.add("key '" + f.key() + "'");
    }
    if (f.reasonContains() != null) {
      parts.add("reason containing '" + f.reasonContains() + "'");
    }
    return String.join(", ", parts);
  }

  /** The first ids a dry run found, as "; ids 1, 2, …". */
  static String sample(Change c) {
    if (c.sample().isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder("; ids ");
    for (int i = 0; i < c.sample().size(); i++) {
      s.append(i == 0 ? "" : ", ").append(c.sample().get(i));
    }
    return s.append(c.rows() > c.sample().size() ? ", …" : "").toString();
  }
}
