package dev.outbox.console;

import dev.outbox.OutboxAdmin;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The parameters of a query string or of a posted form, by name, in the order given. */
final class FormParams {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_BODY = 64 * 1024;

  private final Map<String, List<String>> params;

  private FormParams(Map<String, List<String>> params) {
    this.params = params;
  }

  /** The parameters of {@code raw} ({@code a=1&b=2}, URL-encoded; null for none). */
  static FormParams parse(String raw) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return new FormParams(params);
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
    return new FormParams(params);
  }

  /**
   * The posted form of {@code request}: it must be {@code application/x-www-form-urlencoded} (415
   * otherwise) and at most {@value #MAX_BODY} bytes (413).
   */
  static FormParams read(ConsoleRequest request) throws IOException {
    String type = request.header("Content-Type");
    if (type == null
        || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new HttpError(415, "Actions take a form (application/x-www-form-urlencoded).");
    }
    try (InputStream in = request.body()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new HttpError(413, "The form is larger than " + MAX_BODY + " bytes.");
      }
      return parse(new String(bytes, StandardCharsets.US_ASCII));
    }
  }

  /** The parameter stripped, or null when missing or blank. */
  String param(String name) {
    List<String> v = params.get(name);
    if (v == null || v.isEmpty() || v.get(0).isBlank()) {
      return null;
    }
    return v.get(0).strip();
  }

  /** Every value of {@code name}. */
  List<String> all(String name) {
    return params.getOrDefault(name, List.of());
  }

  /** Every parameter, by name. */
  Map<String, List<String>> asMap() {
    return params;
  }

  /** The parameter, or a 400 naming it when it is missing. */
  String required(String name) {
    String v = param(name);
    if (v == null) {
      throw new HttpError(400, "The form has no " + name + ".");
    }
    return v;
  }

  /** The page size asked for, within 1 and {@link OutboxAdmin#MAX_PAGE}; 400 if not a number. */
  int limit() {
    String l = param("limit");
    if (l == null) {
      return DEFAULT_LIMIT;
    }
    try {
      return Math.max(1, Math.min(OutboxAdmin.MAX_PAGE, Integer.parseInt(l)));
    } catch (NumberFormatException e) {
      throw new HttpError(400, "limit must be a number, was '" + l + "'.");
    }
  }
}
