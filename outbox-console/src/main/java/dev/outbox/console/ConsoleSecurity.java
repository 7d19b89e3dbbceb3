package dev.outbox.console;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The console's request checks: loopback host names on a loopback-only server (against DNS
 * rebinding), the same origin for every POST, and the CSRF token of every form. Each refusal is a
 * 403 that says what was wrong. Thread-safe.
 */
final class ConsoleSecurity {
  static final String CSRF_FIELD = "csrf";

  private final String csrf;
  private final byte[] csrfBytes;

  ConsoleSecurity(String csrf) {
    this.csrf = csrf;
    this.csrfBytes = csrf.getBytes(StandardCharsets.UTF_8);
  }

  /** The token the console's forms carry. */
  String csrf() {
    return csrf;
  }

  /** Refuses a Host that is not a loopback name or address (DNS rebinding). */
  static void checkLoopbackHost(ConsoleRequest request) {
    String host = request.header("Host");
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

  /** Refuses a POST that a browser says comes from another origin. */
  static void checkSameOrigin(ConsoleRequest request) {
    String origin = request.header("Origin");
    if (origin != null) {
      String host = request.header("Host");
      if (host == null || !sameHost(origin, host)) {
        throw new HttpError(
            403,
            "Refused: this action came from another origin ("
                + origin
                + "), not from this console's own page.");
      }
      return;
    }
    String site = request.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      throw new HttpError(
          403,
          "Refused: this action came from another site (" + site + "), not from this console.");
    }
  }

  /** Refuses a form without this console's CSRF token (compared in constant time). */
  void checkCsrf(FormParams form) {
    String given = form.param(CSRF_FIELD);
    if (given == null
        || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), csrfBytes)) {
      throw new HttpError(
          403,
          "Refused: the form's CSRF token is missing or stale (the console may have restarted)."
              + " Reload the page and try again.");
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
}
