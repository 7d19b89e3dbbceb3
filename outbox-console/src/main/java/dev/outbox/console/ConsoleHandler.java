package dev.outbox.console;

import static dev.outbox.console.Html.age;
import static dev.outbox.console.Html.esc;
import static dev.outbox.console.Html.href;
import static dev.outbox.console.Html.time;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxException;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's pages and actions. Every page is rendered whole before anything is sent, so a
 * failure becomes an error page. Paths are relative to the context the handler is mounted on.
 */
final class ConsoleHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_BODY = 64 * 1024;
  static final String CSRF_FIELD = "csrf";

  private static final Set<String> GET_PAGES =
      Set.of("/", "/dead-letters", "/pending", "/key", "/console.css");
  private static final Set<String> ACTIONS =
      Set.of(
          "/actions/pause",
          "/actions/resume",
          "/actions/replay",
          "/actions/purge",
          "/actions/retry-key",
          "/actions/dead-letter-head");

  private final OutboxAdmin admin;
  private final boolean writeAccess;
  private final byte[] csrfToken;
  private final String csrf;
  private final boolean loopbackHostsOnly;

  ConsoleHandler(OutboxAdmin admin, boolean writeAccess, String csrf, boolean loopbackHostsOnly) {
    this.admin = admin;
    this.writeAccess = writeAccess;
    this.csrf = csrf;
    this.csrfToken = csrf.getBytes(StandardCharsets.UTF_8);
    this.loopbackHostsOnly = loopbackHostsOnly;
  }

  /** A response other than 200, with the message shown on its page. */
  static final class HttpError extends RuntimeException {
    final int status;
    final String allow;

    HttpError(int status, String message) {
      this(status, message, null);
    }

    HttpError(int status, String message, String allow) {
      super(message);
      this.status = status;
      this.allow = allow;
    }
  }

  /** One request: its path under the context, its parameters and the context's base path. */
  private static final class Req {
    final HttpExchange exchange;
    final String base;
    final String path;
    final Map<String, List<String>> params;

    Req(HttpExchange exchange, String base, String path, Map<String, List<String>> params) {
      this.exchange = exchange;
      this.base = base;
      this.path = path;
      this.params = params;
    }

    /** The parameter stripped, or null when missing or blank. */
    String param(String name) {
      List<String> v = params.get(name);
      if (v == null || v.isEmpty() || v.get(0).isBlank()) {
        return null;
      }
      return v.get(0).strip();
    }

    List<String> all(String name) {
      return params.getOrDefault(name, List.of());
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      String body;
      int status = 200;
      String contentType = "text/html; charset=utf-8";
      String base = base(exchange);
      try {
        checkHost(exchange);
        String path = exchange.getRequestURI().getPath();
        String contextPath = exchange.getHttpContext().getPath();
        String rel = path.startsWith(contextPath) ? path.substring(contextPath.length()) : path;
        if (contextPath.endsWith("/")) {
          rel = "/" + rel;
        }
        if (rel.isEmpty()) {
          exchange.getResponseHeaders().set("Location", base + "/");
          exchange.sendResponseHeaders(303, -1);
          return;
        }
        if (!rel.startsWith("/")) {
          throw new HttpError(404, "No page at " + path + ".");
        }
        if (ACTIONS.contains(rel)) {
          if (!method.equals("POST")) {
            throw new HttpError(
                405,
                "Actions take a POST from the console's own buttons, not a " + method + ".",
                "POST");
          }
          body = action(exchange, base, rel);
        } else if (GET_PAGES.contains(rel) || rel.startsWith("/dead-letters/")) {
          if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new HttpError(
                405, "This page is read with GET, not " + method + ".", "GET, HEAD");
          }
          Req req = new Req(exchange, base, rel, parse(exchange.getRequestURI().getRawQuery()));
          if (rel.equals("/console.css")) {
            contentType = "text/css; charset=utf-8";
            body = CSS;
          } else {
            body = page(req);
          }
        } else {
          throw new HttpError(404, "No page at " + path + ".");
        }
      } catch (HttpError e) {
        status = e.status;
        if (e.allow != null) {
          exchange.getResponseHeaders().set("Allow", e.allow);
        }
        body = errorPage(base, e.status, e.getMessage());
      } catch (OutboxException e) {
        status = 503;
        body =
            errorPage(
                base,
                503,
                "The outbox database could not be reached or read"
                    + (e.isTransient() ? " (a transient failure: try again)" : "")
                    + ": "
                    + e.getMessage());
      } catch (IllegalArgumentException e) {
        status = 400;
        body = errorPage(base, 400, e.getMessage());
      } catch (UnsupportedOperationException e) {
        status = 501;
        body = errorPage(base, 501, e.getMessage());
      } catch (RuntimeException e) {
        log.warn("outbox console failed on {} {}", method, exchange.getRequestURI(), e);
        status = 500;
        body = errorPage(base, 500, "The console failed: " + e);
      }
      send(exchange, method, status, contentType, body);
    }
  }

  private void send(HttpExchange exchange, String method, int status, String type, String body)
      throws IOException {
    var h = exchange.getResponseHeaders();
    h.set("Content-Type", type);
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "same-origin");
    h.set(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
            + " frame-ancestors 'none'; base-uri 'none'");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (method.equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String base(HttpExchange exchange) {
    String contextPath = exchange.getHttpContext().getPath();
    return contextPath.endsWith("/")
        ? contextPath.substring(0, contextPath.length() - 1)
        : contextPath;
  }

  // ---- security ----

  /** On a loopback-only server, refuses a Host that is not loopback (DNS rebinding). */
  private void checkHost(HttpExchange exchange) {
    if (!loopbackHostsOnly) {
      return;
    }
    String host = exchange.getRequestHeaders().getFirst("Host");
    String name = hostName(host);
    if (name == null
        || !(name.equals("localhost")
            || name.equals("[::1]")
            || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"))) {
      throw new HttpError(
          403,
          "This console serves only loopback host names (localhost, 127.0.0.1, [::1]), not Host "
              + host
              + ".");
    }
  }

  private static String hostName(String host) {
    if (host == null || host.isBlank()) {
      return null;
    }
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? null : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  /** Refuses a POST that a browser says comes from another origin. */
  private static void checkSameOrigin(HttpExchange exchange) {
    var headers = exchange.getRequestHeaders();
    String origin = headers.getFirst("Origin");
    if (origin != null) {
      String host = headers.getFirst("Host");
      if (host == null || !sameHost(origin, host)) {
        throw new HttpError(
            403,
            "Refused: this action came from another origin ("
                + origin
                + "), not from this console's own page.");
      }
      return;
    }
    String site = headers.getFirst("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      throw new HttpError(
          403,
          "Refused: this action came from another site (" + site + "), not from this console.");
    }
  }

  private static boolean sameHost(String origin, String host) {
    try {
      URI o = URI.create(origin);
      if (o.getHost() == null) {
        return false;
      }
      int port = o.getPort() != -1 ? o.getPort() : "https".equals(o.getScheme()) ? 443 : 80;
      String h = host.strip().toLowerCase(Locale.ROOT);
      String name = hostName(h);
      String rest = h.substring(name.length());
      int hostPort = rest.startsWith(":") ? Integer.parseInt(rest.substring(1)) : port;
      String originHost = o.getHost().toLowerCase(Locale.ROOT);
      if (originHost.contains(":") && !originHost.startsWith("[")) {
        originHost = "[" + originHost + "]";
      }
      return originHost.equals(name) && port == hostPort;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void checkCsrf(Req req) {
    String given = req.param(CSRF_FIELD);
    if (given == null
        || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), csrfToken)) {
      throw new HttpError(
          403,
          "Refused: the form's CSRF token is missing or stale (the console may have restarted)."
              + " Reload the page and try again.");
    }
  }

  // ---- parameters ----

  private static Map<String, List<String>> parse(String raw) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, "Malformed parameters: " + e.getMessage());
      }
    }
    return params;
  }

  private static String readForm(HttpExchange exchange) throws IOException {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (type == null
        || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new HttpError(415, "Actions take a form (application/x-www-form-urlencoded).");
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new HttpError(413, "The form is larger than " + MAX_BODY + " bytes.");
      }
      return new String(bytes, StandardCharsets.US_ASCII);
    }
  }

  private static int limit(Req req) {
    String l = req.param("limit");
    if (l == null) {
      return DEFAULT_LIMIT;
    }
    try {
      return Math.max(1, Math.min(OutboxAdmin.MAX_PAGE, Integer.parseInt(l)));
    } catch (NumberFormatException e) {
      throw new HttpError(400, "limit must be a number, was '" + l + "'.");
    }
  }

  // ---- pages ----

  private String page(Req req) {
    String p = req.path;
    if (p.equals("/")) {
      return overview(req);
    }
    if (p.equals("/dead-letters")) {
      return deadLetters(req);
    }
    if (p.startsWith("/dead-letters/")) {
      return deadLetter(req, p.substring("/dead-letters/".length()));
    }
    if (p.equals("/pending")) {
      return pending(req);
    }
    return key(req);
  }

  private String overview(Req req) {
    Overview o = admin.overview();
    String b = req.base;
    StringBuilder h = new StringBuilder();
    h.append("<h1>Overview</h1>\n<dl class=\"summary\">")
        .append("<dt>Pending</dt><dd id=\"pending\">")
        .append(o.pending())
        .append("</dd><dt>Oldest pending</dt><dd id=\"oldest\">")
        .append(age(o.oldestPendingAge()))
        .append("</dd><dt>Dead letters</dt><dd id=\"dead\"><a href=\"")
        .append(esc(b + "/dead-letters"))
        .append("\">")
        .append(o.deadLetters())
        .append("</a></dd><dt>Read at</dt><dd>")
        .append(time(o.at()))
        .append("</dd></dl>\n");

    Set<String> pausedAlone = new java.util.HashSet<>();
    for (PausedTopic p : o.paused()) {
      if (!p.allTopics()) {
        pausedAlone.add(p.topic());
      }
    }
    if (o.allPaused()) {
      h.append("<p class=\"warn\" id=\"all-paused\">All topics are paused.</p>\n");
    }
    if (writeAccess) {
      h.append("<div class=\"actions\">");
      if (o.allPaused()) {
        h.append(
            button(b, "/actions/resume", Map.of("all", "true"), "Resume all topics", "resume-all"));
      } else {
        h.append(
            button(b, "/actions/pause", Map.of("all", "true"), "Pause all topics", "pause-all"));
      }
      h.append("</div>\n");
    }

    h.append("<h2>Topics</h2>\n<table id=\"topics\"><thead><tr><th>Topic</th><th>Due</th>")
        .append("<th>Leased</th><th>Waiting</th><th>Pending</th><th>Dead</th><th>Sent (last ")
        .append(age(o.sentWindow()))
        .append(")</th><th>State</th>")
        .append(writeAccess ? "<th></th>" : "")
        .append("</tr></thead><tbody>\n");
    if (o.topics().isEmpty()) {
      h.append("<tr><td colspan=\"9\">No messages.</td></tr>\n");
    }
    for (TopicCounts t : o.topics()) {
      String topicParam = t.topic();
      h.append("<tr data-topic=\"")
          .append(esc(t.topic()))
          .append("\"><td>")
          .append(esc(t.topic()))
          .append("</td><td>")
          .append(t.due())
          .append("</td><td>")
          .append(t.leased())
          .append("</td><td>")
          .append(t.waiting())
          .append("</td><td><a href=\"")
          .append(href(b + "/pending", Map.of("topic", topicParam)))
          .append("\">")
          .append(t.pending())
          .append("</a></td><td><a href=\"")
          .append(href(b + "/dead-letters", Map.of("topic", topicParam)))
          .append("\">")
          .append(t.dead())
          .append("</a></td><td>")
          .append(t.sentRecently())
          .append("</td><td class=\"state\">")
          .append(
              pausedAlone.contains(t.topic())
                  ? "<span class=\"paused\">paused</span>"
                  : t.paused() ? "<span class=\"paused\">paused (all topics)</span>" : "running")
          .append("</td>");
      if (writeAccess) {
        h.append("<td>");
        if (pausedAlone.contains(t.topic())) {
          h.append(button(b, "/actions/resume", Map.of("topic", t.topic()), "Resume", "resume"));
        } else {
          h.append(button(b, "/actions/pause", Map.of("topic", t.topic()), "Pause", "pause"));
        }
        h.append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody></table>\n");

    h.append("<h2>Pauses</h2>\n");
    if (o.paused().isEmpty()) {
      h.append("<p id=\"pauses\">No topic is paused.</p>\n");
    } else {
      h.append("<table id=\"pauses\"><thead><tr><th>Topic</th><th>Since</th><th>Reason</th>")
          .append(writeAccess ? "<th></th>" : "")
          .append("</tr></thead><tbody>\n");
      for (PausedTopic p : o.paused()) {
        h.append("<tr><td>")
            .append(p.allTopics() ? "<em>all topics</em>" : esc(p.topic()))
            .append("</td><td>")
            .append(time(p.pausedAt()))
            .append("</td><td>")
            .append(esc(p.reason()))
            .append("</td>");
        if (writeAccess) {
          h.append("<td>")
              .append(
                  button(
                      b,
                      "/actions/resume",
                      p.allTopics() ? Map.of("all", "true") : Map.of("topic", p.topic()),
                      "Resume",
                      "resume"))
              .append("</td>");
        }
        h.append("</tr>\n");
      }
      h.append("</tbody></table>\n");
    }

    h.append("<h2>Pending messages by attempts</h2>\n");
    if (o.attempts().isEmpty()) {
      h.append("<p>None pending.</p>\n");
    } else {
      h.append("<table id=\"attempts\"><thead><tr><th>Attempts</th><th>Messages</th></tr>")
          .append("</thead><tbody>\n");
      for (Map.Entry<Integer, Long> e : o.attempts().entrySet()) {
        h.append("<tr><td>")
            .append(e.getKey())
            .append("</td><td>")
            .append(e.getValue())
            .append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
    }

    h.append("<h2>Relays</h2>\n");
    if (o.relays().isEmpty()) {
      h.append("<p id=\"relays\">No relay reported in the last ")
          .append(age(OutboxAdmin.RELAY_WINDOW))
          .append(".</p>\n");
    } else {
      h.append("<table id=\"relays\"><thead><tr><th>Name</th><th>Host</th><th>Instance</th>")
          .append("<th>Started</th><th>Seen</th><th>Last claim</th><th>In flight</th></tr>")
          .append("</thead><tbody>\n");
      for (RelayView r : o.relays()) {
        h.append("<tr><td>")
            .append(esc(r.name()))
            .append("</td><td>")
            .append(esc(r.host()))
            .append("</td><td>")
            .append(Long.toHexString(r.instance()))
            .append("</td><td>")
            .append(time(r.startedAt()))
            .append("</td><td>")
            .append(time(r.seenAt()))
            .append("</td><td>")
            .append(time(r.lastClaimAt()))
            .append("</td><td>")
            .append(r.inFlight())
            .append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    return layout(b, "Overview", h.toString());
  }

  private static DeadLetterFilter deadLetterFilter(Req req) {
    DeadLetterFilter f = DeadLetterFilter.none();
    if (req.param("topic") != null) {
      f = f.withTopic(req.param("topic"));
    }
    if (req.param("key") != null) {
      f = f.withKey(req.param("key"));
    }
    if (req.param("reason") != null) {
      f = f.withReasonContaining(req.param("reason"));
    }
    return f;
  }

  private String deadLetters(Req req) {
    String b = req.base;
    DeadLetterFilter filter = deadLetterFilter(req);
    int limit = limit(req);
    Page<DeadLetterView> page = admin.deadLetters(filter, req.param("cursor"), limit);
    StringBuilder h = new StringBuilder("<h1>Dead letters</h1>\n");
    h.append("<form method=\"get\" action=\"")
        .append(esc(b + "/dead-letters"))
        .append("\" class=\"filter\">")
        .append(input("topic", "Topic", req.param("topic")))
        .append(input("key", "Key", req.param("key")))
        .append(input("reason", "Reason contains", req.param("reason")))
        .append("<button type=\"submit\" id=\"filter\">Filter</button></form>\n");

    Map<String, String> filterParams = new LinkedHashMap<>();
    putIf(filterParams, "topic", filter.topic());
    putIf(filterParams, "key", filter.key());
    putIf(filterParams, "reason", filter.reasonContains());

    if (page.items().isEmpty()) {
      h.append("<p id=\"no-dead-letters\">No dead letters")
          .append(filter.isEmpty() ? "" : " match this filter")
          .append(".</p>\n");
    } else {
      if (writeAccess) {
        h.append("<form method=\"post\" action=\"")
            .append(esc(b + "/actions/replay"))
            .append("\" id=\"selected\">")
            .append(hidden(CSRF_FIELD, csrf))
            .append(hidden("scope", "ids"));
      }
      h.append("<table id=\"dead-letters\"><thead><tr>")
          .append(writeAccess ? "<th></th>" : "")
          .append("<th>Id</th><th>Topic</th><th>Key</th><th>Reason</th><th>Died</th>")
          .append("<th>Attempts</th><th>Replays</th><th>Bytes</th></tr></thead><tbody>\n");
      for (DeadLetterView d : page.items()) {
        h.append("<tr data-id=\"").append(d.id()).append("\">");
        if (writeAccess) {
          h.append("<td><input type=\"checkbox\" name=\"id\" value=\"")
              .append(d.id())
              .append("\" aria-label=\"select dead letter ")
              .append(d.id())
              .append("\"></td>");
        }
        h.append("<td><a href=\"")
            .append(esc(b + "/dead-letters/" + d.id()))
            .append("\">")
            .append(d.id())
            .append("</a></td><td>")
            .append(esc(d.topic()))
            .append("</td><td>")
            .append(keyLink(b, d.key()))
            .append("</td><td class=\"reason\">")
            .append(esc(d.reason()))
            .append("</td><td>")
            .append(time(d.deadAt()))
            .append("</td><td>")
            .append(d.attempts())
            .append("</td><td>")
            .append(d.replayCount())
            .append("</td><td>")
            .append(d.payloadSize())
            .append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
      if (writeAccess) {
        h.append("<div class=\"actions\"><button type=\"submit\" id=\"replay-selected\">")
            .append("Replay selected</button> <button type=\"submit\" id=\"purge-selected\"")
            .append(" formaction=\"")
            .append(esc(b + "/actions/purge"))
            .append("\">Purge selected</button></div></form>\n");
      }
      if (page.nextCursor() != null) {
        Map<String, String> next = new LinkedHashMap<>(filterParams);
        next.put("cursor", page.nextCursor());
        next.put("limit", Integer.toString(limit));
        h.append("<p><a id=\"next\" href=\"")
            .append(href(b + "/dead-letters", next))
            .append("\">Next page</a></p>\n");
      }
    }
    if (writeAccess) {
      Map<String, String> byFilter = new LinkedHashMap<>(filterParams);
      byFilter.put("scope", "filter");
      String what = filter.isEmpty() ? "ALL dead letters" : "all matching this filter";
      h.append("<div class=\"actions\">")
          .append(button(b, "/actions/replay", byFilter, "Replay " + what, "replay-filter"))
          .append(button(b, "/actions/purge", byFilter, "Purge " + what, "purge-filter"))
          .append("</div>\n");
    }
    return layout(b, "Dead letters", h.toString());
  }

  private String deadLetter(Req req, String idText) {
    String b = req.base;
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
    StringBuilder h = new StringBuilder("<h1>Dead letter ").append(d.id()).append("</h1>\n");
    h.append("<dl class=\"detail\">");
    row(h, "Message id", esc(d.messageId()));
    row(h, "Original id", Long.toString(d.originalId()));
    row(h, "Topic", esc(d.topic()));
    row(h, "Key", keyLink(b, d.key()));
    row(h, "Reason", "<pre>" + esc(d.reason()) + "</pre>");
    row(h, "Enlisted", time(d.createdAt()));
    row(h, "Died", time(d.deadAt()));
    row(h, "Attempts", Integer.toString(d.attempts()));
    row(h, "Replays", Integer.toString(d.replayCount()));
    row(h, "Payload", d.payloadSize() + " bytes");
    StringBuilder headers = new StringBuilder();
    for (Map.Entry<String, String> e : d.headers().entrySet()) {
      headers.append(esc(e.getKey())).append(": ").append(esc(e.getValue())).append("<br>");
    }
    row(h, "Headers", headers.length() == 0 ? "none" : headers.toString());
    h.append("</dl>\n");
    if (writeAccess) {
      Map<String, String> one = Map.of("scope", "ids", "id", Long.toString(d.id()));
      h.append("<div class=\"actions\">")
          .append(button(b, "/actions/replay", one, "Replay", "replay"))
          .append(button(b, "/actions/purge", one, "Purge", "purge"))
          .append("</div>\n");
    }
    return layout(b, "Dead letter " + d.id(), h.toString());
  }

  private String pending(Req req) {
    String b = req.base;
    MessageFilter filter = MessageFilter.any();
    if (req.param("topic") != null) {
      filter = filter.withTopic(req.param("topic"));
    }
    if (req.param("key") != null) {
      filter = filter.withKey(req.param("key"));
    }
    String state = req.param("state");
    if (state != null) {
      try {
        filter = filter.withState(MessageState.valueOf(state.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, "state must be DUE, LEASED or WAITING, was '" + state + "'.");
      }
    }
    if (req.param("error") != null) {
      filter = filter.withErrorContaining(req.param("error"));
    }
    int limit = limit(req);
    Page<MessageView> page = admin.pending(filter, req.param("cursor"), limit);
    StringBuilder h = new StringBuilder("<h1>Pending messages</h1>\n");
    h.append("<form method=\"get\" action=\"")
        .append(esc(b + "/pending"))
        .append("\" class=\"filter\">")
        .append(input("topic", "Topic", req.param("topic")))
        .append(input("key", "Key", req.param("key")))
        .append("<label>State <select name=\"state\"><option value=\"\">any</option>");
    for (MessageState s : List.of(MessageState.DUE, MessageState.LEASED, MessageState.WAITING)) {
      h.append("<option")
          .append(s == filter.state() ? " selected" : "")
          .append(">")
          .append(s)
          .append("</option>");
    }
    h.append("</select></label>")
        .append(input("error", "Error contains", req.param("error")))
        .append("<button type=\"submit\" id=\"filter\">Filter</button></form>\n");
    if (page.items().isEmpty()) {
      h.append("<p id=\"no-pending\">No pending messages match.</p>\n");
    } else {
      h.append("<table id=\"pending\"><thead><tr><th>Id</th><th>Message id</th><th>Topic</th>")
          .append("<th>Key</th><th>State</th><th>Attempts</th><th>Enlisted</th>")
          .append("<th>Next attempt</th><th>Last error</th><th>Lease owner</th><th>Bytes</th>")
          .append("</tr></thead><tbody>\n");
      for (MessageView m : page.items()) {
        h.append("<tr data-id=\"")
            .append(m.id())
            .append("\"><td>")
            .append(m.id())
            .append("</td><td>")
            .append(esc(m.messageId()))
            .append("</td><td>")
            .append(esc(m.topic()))
            .append("</td><td>")
            .append(keyLink(b, m.key()))
            .append("</td><td>")
            .append(m.state())
            .append("</td><td>")
            .append(m.attempts())
            .append("</td><td>")
            .append(time(m.createdAt()))
            .append("</td><td>")
            .append(time(m.nextAttemptAt()))
            .append("</td><td class=\"reason\">")
            .append(esc(m.lastError()))
            .append("</td><td>")
            .append(esc(m.leaseOwner()))
            .append("</td><td>")
            .append(m.payloadSize())
            .append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
      if (page.nextCursor() != null) {
        Map<String, String> next = new LinkedHashMap<>();
        putIf(next, "topic", req.param("topic"));
        putIf(next, "key", req.param("key"));
        putIf(next, "state", filter.state() == null ? null : filter.state().name());
        putIf(next, "error", req.param("error"));
        next.put("cursor", page.nextCursor());
        next.put("limit", Integer.toString(limit));
        h.append("<p><a id=\"next\" href=\"")
            .append(href(b + "/pending", next))
            .append("\">Next page</a></p>\n");
      }
    }
    return layout(b, "Pending messages", h.toString());
  }

  private String key(Req req) {
    String b = req.base;
    String key = req.param("key");
    StringBuilder h = new StringBuilder("<h1>Key diagnosis</h1>\n");
    h.append("<form method=\"get\" action=\"")
        .append(esc(b + "/key"))
        .append("\" class=\"filter\">")
        .append(input("key", "Key", key))
        .append("<button type=\"submit\" id=\"diagnose\">Diagnose</button></form>\n");
    if (key != null) {
      KeyDiagnosis d = admin.key(key);
      h.append("<p class=\"verdict\" id=\"verdict\">").append(esc(d.verdict())).append("</p>\n");
      h.append("<dl class=\"detail\">");
      row(h, "Key", esc(d.key()));
      row(
          h,
          "Pending",
          "<a href=\"" + href(b + "/pending", Map.of("key", key)) + "\">" + d.pending() + "</a>");
      row(
          h,
          "Dead letters",
          "<a href=\""
              + href(b + "/dead-letters", Map.of("key", key))
              + "\">"
              + d.deadLetters()
              + "</a>");
      row(h, "Topic paused", d.paused() ? "yes" : "no");
      h.append("</dl>\n");
      Optional<MessageView> head = d.head();
      if (head.isPresent()) {
        MessageView m = head.get();
        h.append("<h2>Head</h2>\n<dl class=\"detail\" id=\"head\">");
        row(h, "Id", Long.toString(m.id()));
        row(h, "Message id", esc(m.messageId()));
        row(h, "Topic", esc(m.topic()));
        row(h, "State", m.state().name());
        row(h, "Attempts", Integer.toString(m.attempts()));
        row(h, "Next attempt", time(m.nextAttemptAt()));
        row(h, "Last error", m.lastError() == null ? "–" : "<pre>" + esc(m.lastError()) + "</pre>");
        row(h, "Lease owner", m.leaseOwner() == null ? "–" : esc(m.leaseOwner()));
        row(h, "Lease until", time(m.leaseUntil()));
        row(h, "Enlisted", time(m.createdAt()));
        h.append("</dl>\n");
        if (writeAccess) {
          h.append("<div class=\"actions\">")
              .append(button(b, "/actions/retry-key", Map.of("key", key), "Retry now", "retry-key"))
              .append(
                  button(
                      b,
                      "/actions/dead-letter-head",
                      Map.of("key", key),
                      "Dead-letter the head",
                      "dead-letter-head"))
              .append("</div>\n");
        }
      }
    }
    return layout(b, "Key diagnosis", h.toString());
  }

  // ---- actions ----

  private String action(HttpExchange exchange, String base, String rel) throws IOException {
    if (!writeAccess) {
      throw new HttpError(
          403,
          "This console is read-only: it was started without write access, so it changes nothing."
              + " Start it with writeAccess(true) to replay, purge, retry, pause or resume.");
    }
    checkSameOrigin(exchange);
    Req req = new Req(exchange, base, rel, parse(readForm(exchange)));
    checkCsrf(req);
    boolean confirmed = "yes".equals(req.param("confirmed"));
    return switch (rel) {
      case "/actions/pause" -> pause(req, confirmed);
      case "/actions/resume" -> resume(req, confirmed);
      case "/actions/replay", "/actions/purge" -> replayOrPurge(req, confirmed);
      case "/actions/retry-key" -> retryKey(req, confirmed);
      default -> deadLetterHead(req, confirmed);
    };
  }

  private String pause(Req req, boolean confirmed) {
    boolean all = "true".equals(req.param("all"));
    String topic = all ? null : required(req, "topic");
    String what = all ? "all topics" : "topic '" + topic + "'";
    if (!confirmed) {
      return confirm(
          req,
          "Pause " + what,
          "No relay will claim messages of "
              + what
              + " within one poll interval, until it is resumed. Messages keep being enlisted.",
          "<label>Reason (shown to other operators) <input type=\"text\" name=\"reason\""
              + " id=\"reason\"></label>",
          "Pause",
          Set.of("reason"));
    }
    if (all) {
      admin.pauseAll(req.param("reason"));
    } else {
      admin.pause(topic, req.param("reason"));
    }
    return done(req, "Paused " + what + ".", "/");
  }

  private String resume(Req req, boolean confirmed) {
    boolean all = "true".equals(req.param("all"));
    String topic = all ? null : required(req, "topic");
    String what = all ? "all topics" : "topic '" + topic + "'";
    if (!confirmed) {
      return confirm(
          req,
          "Resume " + what,
          "Relays will claim messages of "
              + what
              + " again within one poll interval."
              + (all ? " Topics paused one by one stay paused." : ""),
          "",
          "Resume",
          Set.of());
    }
    boolean was = all ? admin.resumeAll() : admin.resume(topic);
    return done(
        req,
        was ? "Resumed " + what + "." : "Nothing to resume: " + what + " was not paused.",
        "/");
  }

  private String replayOrPurge(Req req, boolean confirmed) {
    boolean replay = req.path.equals("/actions/replay");
    String verb = replay ? "replay" : "purge";
    DeadLetterFilter filter;
    String scope = req.param("scope");
    if ("ids".equals(scope)) {
      List<Long> ids = new ArrayList<>();
      for (String id : req.all("id")) {
        try {
          ids.add(Long.parseLong(id.strip()));
        } catch (NumberFormatException e) {
          throw new HttpError(400, "Dead-letter ids are numbers, not '" + id + "'.");
        }
      }
      if (ids.isEmpty()) {
        throw new HttpError(400, "Select at least one dead letter to " + verb + ".");
      }
      filter = DeadLetterFilter.none().withIds(ids);
    } else if ("filter".equals(scope)) {
      filter = deadLetterFilter(req);
      if (filter.isEmpty()) {
        filter = DeadLetterFilter.all();
      }
    } else {
      throw new HttpError(400, "scope must be 'ids' or 'filter'.");
    }
    ReplayPlacement placement =
        "end".equals(req.param("placement")) ? ReplayPlacement.END : ReplayPlacement.ORIGINAL;
    if (!confirmed) {
      Change dry = replay ? admin.replay(filter, placement, true) : admin.purge(filter, true);
      String what = describe(filter);
      if (dry.rows() == 0) {
        return nothing(req, "Nothing to " + verb + ": no dead letter matches " + what + ".");
      }
      String explain =
          replay
              ? "They go back to pending as a new attempt cycle (attempts 0, due now), at their"
                  + " original place among their key's messages."
              : "They are deleted for good: their payloads cannot be recovered.";
      return confirm(
          req,
          (replay ? "Replay " : "Purge ")
              + dry.rows()
              + " dead letter"
              + (dry.rows() == 1 ? "" : "s"),
          "This will "
              + verb
              + " <strong id=\"count\">"
              + dry.rows()
              + "</strong> dead letter"
              + (dry.rows() == 1 ? "" : "s")
              + " ("
              + esc(what)
              + sample(dry)
              + "). "
              + explain,
          "",
          replay ? "Replay" : "Purge",
          Set.of(),
          true);
    }
    Change c = replay ? admin.replay(filter, placement, false) : admin.purge(filter, false);
    return done(
        req,
        (replay ? "Replayed " : "Purged ")
            + c.rows()
            + " dead letter"
            + (c.rows() == 1 ? "" : "s")
            + ".",
        "/dead-letters");
  }

  private String retryKey(Req req, boolean confirmed) {
    String key = required(req, "key");
    if (!confirmed) {
      Change dry = admin.retryKey(key, true);
      if (dry.rows() == 0) {
        return nothing(
            req,
            "Nothing to retry: key '" + key + "' has no waiting head (none pending, or leased).");
      }
      return confirm(
          req,
          "Retry key '" + key + "' now",
          "This will make the head of key <strong>"
              + esc(key)
              + "</strong> due now (<span id=\"count\">"
              + dry.rows()
              + "</span> message"
              + sample(dry)
              + "); its attempts are kept.",
          "",
          "Retry now",
          Set.of(),
          true);
    }
    Change c = admin.retryKey(key, false);
    return done(req, "Made " + c.rows() + " message of key '" + key + "' due now.", keyPath(key));
  }

  private String deadLetterHead(Req req, boolean confirmed) {
    String key = required(req, "key");
    if (!confirmed) {
      Change dry = admin.deadLetterKeyHead(key, null, true);
      if (dry.rows() == 0) {
        return nothing(
            req,
            "Nothing to dead-letter: key '"
                + key
                + "' has no head to move (none pending, or leased).");
      }
      return confirm(
          req,
          "Dead-letter the head of key '" + key + "'",
          "This will move the head of key <strong>"
              + esc(key)
              + "</strong> (<span id=\"count\">"
              + dry.rows()
              + "</span> message"
              + sample(dry)
              + ") to the dead letters, so that the key's next message can go. It can be replayed"
              + " later.",
          "<label>Reason <input type=\"text\" name=\"reason\" id=\"reason\""
              + " value=\"dead-lettered by an operator\"></label>",
          "Dead-letter",
          Set.of("reason"),
          true);
    }
    Change c = admin.deadLetterKeyHead(key, req.param("reason"), false);
    return done(
        req,
        "Moved " + c.rows() + " message of key '" + key + "' to the dead letters.",
        keyPath(key));
  }

  private static String keyPath(String key) {
    return "/key?key=" + Html.url(key);
  }

  private static String required(Req req, String name) {
    String v = req.param(name);
    if (v == null) {
      throw new HttpError(400, "The form has no " + name + ".");
    }
    return v;
  }

  private static String describe(DeadLetterFilter f) {
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

  private static String sample(Change c) {
    if (c.sample().isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder("; ids ");
    for (int i = 0; i < c.sample().size(); i++) {
      s.append(i == 0 ? "" : ", ").append(c.sample().get(i));
    }
    return s.append(c.rows() > c.sample().size() ? ", …" : "").toString();
  }

  private String confirm(
      Req req,
      String title,
      String explainHtml,
      String extraHtml,
      String verb,
      Set<String> visible) {
    return confirm(req, title, explainHtml, extraHtml, verb, visible, false);
  }

  /** The "are you sure" page: a form that posts the same fields again, confirmed. */
  private String confirm(
      Req req,
      String title,
      String explainHtml,
      String extraHtml,
      String verb,
      Set<String> visible,
      boolean dryRun) {
    StringBuilder h = new StringBuilder("<h1>").append(esc(title)).append("?</h1>\n");
    h.append("<p class=\"confirm\" id=\"explain\">").append(explainHtml).append("</p>\n");
    if (dryRun) {
      h.append("<p class=\"note\">Counted by a dry run just now; the action counts again.</p>\n");
    }
    h.append("<form method=\"post\" action=\"").append(esc(req.base + req.path)).append("\">");
    for (Map.Entry<String, List<String>> p : req.params.entrySet()) {
      String name = p.getKey();
      if (name.equals(CSRF_FIELD) || name.equals("confirmed") || visible.contains(name)) {
        continue;
      }
      for (String v : p.getValue()) {
        h.append(hidden(name, v));
      }
    }
    h.append(hidden(CSRF_FIELD, csrf)).append(hidden("confirmed", "yes")).append(extraHtml);
    h.append(" <button type=\"submit\" id=\"confirm\" class=\"danger\">Confirm: ")
        .append(esc(verb))
        .append("</button> <a href=\"")
        .append(esc(back(req)))
        .append("\" id=\"cancel\">Cancel</a></form>\n");
    return layout(req.base, title, h.toString());
  }

  private String nothing(Req req, String message) {
    return layout(
        req.base,
        "Nothing to do",
        "<h1>Nothing to do</h1>\n<p id=\"result\">"
            + esc(message)
            + "</p>\n<p><a href=\""
            + esc(back(req))
            + "\">Back</a></p>\n");
  }

  private String done(Req req, String message, String next) {
    return layout(
        req.base,
        "Done",
        "<h1>Done</h1>\n<p id=\"result\">"
            + esc(message)
            + "</p>\n<p><a id=\"back\" href=\""
            + esc(req.base + next)
            + "\">Back</a></p>\n");
  }

  /** Where Cancel goes: the page that posted, when the browser says so and it is ours. */
  private static String back(Req req) {
    String referer = req.exchange.getRequestHeaders().getFirst("Referer");
    if (referer != null) {
      try {
        URI r = URI.create(referer);
        String path = r.getRawPath();
        if (path != null && path.startsWith(req.base + "/") && !path.contains("/actions/")) {
          return r.getRawQuery() == null ? path : path + "?" + r.getRawQuery();
        }
      } catch (IllegalArgumentException e) {
        // fall through to the overview
      }
    }
    return req.base + "/";
  }

  // ---- pieces ----

  /** A one-button POST form (the action's first step, which asks for confirmation). */
  private String button(
      String base, String action, Map<String, String> fields, String label, String cssClass) {
    StringBuilder h = new StringBuilder("<form method=\"post\" class=\"inline\" action=\"");
    h.append(esc(base + action)).append("\">").append(hidden(CSRF_FIELD, csrf));
    for (Map.Entry<String, String> f : fields.entrySet()) {
      h.append(hidden(f.getKey(), f.getValue()));
    }
    return h.append("<button type=\"submit\" class=\"")
        .append(esc(cssClass))
        .append("\">")
        .append(esc(label))
        .append("</button></form>")
        .toString();
  }

  private static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
  }

  private static String input(String name, String label, String value) {
    return "<label>"
        + esc(label)
        + " <input type=\"text\" name=\""
        + esc(name)
        + "\" id=\"f-"
        + esc(name)
        + "\" value=\""
        + esc(value)
        + "\"></label> ";
  }

  private static String keyLink(String base, String key) {
    if (key == null) {
      return "–";
    }
    return "<a href=\"" + href(base + "/key", Map.of("key", key)) + "\">" + esc(key) + "</a>";
  }

  private static void row(StringBuilder h, String name, String valueHtml) {
    h.append("<dt>").append(esc(name)).append("</dt><dd>").append(valueHtml).append("</dd>");
  }

  private static void putIf(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private String errorPage(String base, int status, String message) {
    return layout(
        base,
        "Error " + status,
        "<h1>Error "
            + status
            + "</h1>\n<p class=\"error\" id=\"error\">"
            + esc(message)
            + "</p>\n");
  }

  private String layout(String base, String title, String main) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>Outbox console: "
        + esc(title)
        + "</title><link rel=\"stylesheet\" href=\""
        + esc(base + "/console.css")
        + "\"></head>\n<body><nav><strong>Outbox</strong> <a href=\""
        + esc(base + "/")
        + "\">Overview</a> <a href=\""
        + esc(base + "/dead-letters")
        + "\">Dead letters</a> <a href=\""
        + esc(base + "/pending")
        + "\">Pending</a> <a href=\""
        + esc(base + "/key")
        + "\">Key diagnosis</a> <span class=\"mode\" id=\"mode\">"
        + (writeAccess ? "write access" : "read-only")
        + "</span> <span class=\"tables\">"
        + esc(admin.tables().schema() == null ? "" : admin.tables().schema() + ".")
        + esc(admin.tables().table())
        + "</span></nav>\n<main>\n"
        + main
        + "</main></body></html>\n";
  }

  static final String CSS =
      """
      body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
      nav { background: #263238; color: #eceff1; padding: .6em 1em; }
      nav a { color: #80cbc4; margin-right: 1em; text-decoration: none; }
      nav strong { margin-right: 1.5em; }
      nav .mode { background: #455a64; padding: .1em .5em; border-radius: 3px; }
      nav .tables { float: right; color: #b0bec5; }
      main { padding: 0 1.5em 2em; }
      table { border-collapse: collapse; margin: .5em 0 1em; }
      th, td { border-bottom: 1px solid #ddd; padding: .3em .7em; text-align: left; }
      th { background: #f5f5f5; }
      td.reason { max-width: 40em; overflow-wrap: anywhere; }
      dl.summary { display: flex; gap: 2.5em; }
      dl.summary dd { font-size: 1.6em; margin: 0; }
      dl.detail { display: grid; grid-template-columns: max-content auto; gap: .3em 1.2em; }
      dl.detail dd { margin: 0; }
      pre { margin: 0; white-space: pre-wrap; }
      form.inline { display: inline; margin-right: .4em; }
      form.filter label { margin-right: .8em; }
      .actions { margin: .6em 0 1.2em; }
      .paused, .warn { color: #b71c1c; font-weight: bold; }
      .error { color: #b71c1c; white-space: pre-wrap; }
      .verdict { font-size: 1.2em; }
      button.danger { background: #c62828; color: white; border: 0; padding: .4em 1em; }
      .note { color: #666; }
      """;
}
