package dev.outbox.console;

import java.net.URI;

/**
 * One page or action being served: the request, the console's base path, the path under it and its
 * parameters (the query for a page, the form for an action).
 */
record Call(ConsoleRequest request, String base, String path, FormParams params) {

  /** The parameter stripped, or null when missing or blank. */
  String param(String name) {
    return params.param(name);
  }

  /** Where Cancel goes: the page that posted, when the browser says so and it is ours. */
  String back() {
    String referer = request.header("Referer");
    if (referer != null) {
      try {
        URI r = URI.create(referer);
        String p = r.getRawPath();
        if (p != null && p.startsWith(base + "/") && !p.contains("/actions/")) {
          return r.getRawQuery() == null ? p : p + "?" + r.getRawQuery();
        }
      } catch (IllegalArgumentException e) {
        // not a URI: back to the overview
      }
    }
    return base + "/";
  }
}
