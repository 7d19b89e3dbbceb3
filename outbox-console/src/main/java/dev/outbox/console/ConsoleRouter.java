package dev.outbox.console;

import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a {@link ConsoleRequest} to a page, an action or the style sheet, applies the security
 * checks, and turns every failure into an error page with the matching status. Knows nothing of the
 * server it runs in. Thread-safe.
 */
final class ConsoleRouter {
  private static final Logger log = LoggerFactory.getLogger(ConsoleRouter.class);

  private static final String HTML = "text/html; charset=utf-8";
  private static final String CSS = readCss();

  private final boolean writeAccess;
  private final boolean loopbackHostsOnly;
  private final ConsoleSecurity security;
  private final Views views;
  private final ConsolePages pages;
  private final ConsoleActions actions;

  ConsoleRouter(OutboxAdmin admin, boolean writeAccess, String csrf, boolean loopbackHostsOnly) {
    this.writeAccess = writeAccess;
    this.loopbackHostsOnly = loopbackHostsOnly;
    this.security = new ConsoleSecurity(csrf);
    this.views = new Views(writeAccess, csrf, admin.tables());
    this.pages = new ConsolePages(admin, views);
    this.actions = new ConsoleActions(admin, views);
  }

  /** The response to {@code request}; never throws for a bad request (that is an error page). */
  ConsoleResponse handle(ConsoleRequest request) {
    String method = request.method().toUpperCase(Locale.ROOT);
    String base = request.basePath();
    Map<String, String> headers = new LinkedHashMap<>();
    int status = 200;
    String body;
    try {
      if (loopbackHostsOnly) {
        ConsoleSecurity.checkLoopbackHost(request);
      }
      String path = request.path();
      if (path.isEmpty()) {
        headers.put("Location", base + "/");
        return new ConsoleResponse(303, headers, "");
      }
      if (ConsoleActions.isAction(path)) {
        body = action(request, method, base, path);
      } else if (ConsolePages.isPage(path) || path.equals("/console.css")) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
          throw new HttpError(405, "This page is read with GET, not " + method + ".", "GET, HEAD");
        }
        if (path.equals("/console.css")) {
          return respond(method, 200, headers, "text/css; charset=utf-8", CSS);
        }
        body = pages.render(new Call(request, base, path, FormParams.parse(request.rawQuery())));
      } else {
        throw new HttpError(404, "No page at " + base + path + ".");
      }
    } catch (HttpError e) {
      status = e.status;
      if (e.allow != null) {
        headers.put("Allow", e.allow);
      }
      body = views.error(base, e.status, e.getMessage());
    } catch (OutboxException e) {
      status = 503;
      String message =
          "The outbox database could not be reached or read"
              + (e.isTransient() ? " (a transient failure: try again)" : "")
              + ": "
              + e.getMessage();
      body = views.error(base, 503, message);
    } catch (IllegalArgumentException e) {
      status = 400;
      body = views.error(base, 400, e.getMessage());
    } catch (UnsupportedOperationException e) {
      status = 501;
      body = views.error(base, 501, e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      status = 400;
      body = views.error(base, 400, "The request could not be read: " + e.getMessage());
    } catch (RuntimeException e) {
      log.warn("outbox console failed on {} {}{}", method, base, request.path(), e);
      status = 500;
      body = views.error(base, 500, "The console failed: " + e);
    }
    return respond(method, status, headers, HTML, body);
  }

  private String action(ConsoleRequest request, String method, String base, String path)
      throws IOException {
    if (!method.equals("POST")) {
      throw new HttpError(
          405, "Actions take a POST from the console's own buttons, not a " + method + ".", "POST");
    }
    if (!writeAccess) {
      throw new HttpError(
          403,
          "This console is read-only: it was started without write access, so it changes nothing."
              + " Start it with writeAccess(true) to replay, purge, retry, pause or resume.");
    }
    ConsoleSecurity.checkSameOrigin(request);
    FormParams form = FormParams.read(request);
    security.checkCsrf(form);
    return actions.run(new Call(request, base, path, form));
  }

  /** The response with the console's security headers; no body for HEAD. */
  private static ConsoleResponse respond(
      String method, int status, Map<String, String> headers, String type, String body) {
    headers.put("Content-Type", type);
    headers.put("Cache-Control", "no-store");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("X-Frame-Options", "DENY");
    headers.put("Referrer-Policy", "same-origin");
    headers.put(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
            + " frame-ancestors 'none'; base-uri 'none'");
    return new ConsoleResponse(status, headers, method.equals("HEAD") ? "" : body);
  }

  private static String readCss() {
    try (InputStream in = ConsoleRouter.class.getResourceAsStream("console.css")) {
      if (in == null) {
        throw new IllegalStateException("the console's resource console.css is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console's style sheet", e);
    }
  }
}
